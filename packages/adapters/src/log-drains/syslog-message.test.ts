import { describe, expect, it } from 'vitest';
import type { DrainedLogLine } from '@slipway/core';
import { sampleDrainedLine, splitOctetCountedFrames } from '@slipway/testkit';
import { formatSyslogMessage, frameSyslogMessage, syslogFrames } from './syslog-message.js';

const line = (over: Partial<DrainedLogLine> = {}): DrainedLogLine =>
  sampleDrainedLine({ instanceId: 'ins_01JX', releaseId: 'rel_7', deploymentId: 'dep_9', ...over });

describe('RFC 5424 syslog messages', () => {
  it('writes the header, the structured data and the line as RFC 5424 orders them', () => {
    expect(formatSyslogMessage(line(), 'node-a')).toBe(
      '<14>1 2026-12-07T08:30:00.123Z node-a shop ins_01JX stdout ' +
        '[slipway@32473 seq="42" project="default" environment="production" source="app" process="web" release="rel_7" deployment="dep_9"] ' +
        'GET / 200',
    );
  });

  it('gives stderr the error severity (PRI 11: facility user, severity 3)', () => {
    expect(formatSyslogMessage(line({ stream: 'stderr' }), 'node-a')).toMatch(/^<11>1 /u);
  });

  it('escapes ", \\ and ] in parameter values, and leaves out what is unknown', () => {
    const { releaseId: _release, deploymentId: _deployment, ...bare } = line({ process: 'a"b\\c]d' });
    const message = formatSyslogMessage(bare, 'node-a');
    expect(message).toContain('process="a\\"b\\\\c\\]d"]');
    expect(message).not.toContain('release=');
  });

  it('keeps header fields printable and within their lengths, NILVALUE when empty', () => {
    const message = formatSyslogMessage(line({ app: 'x'.repeat(60), instanceId: 'in stance' }), '');
    const [, , hostname, appName, procId] = message.split(' ');
    expect(hostname).toBe('-');
    expect(appName).toBe('x'.repeat(48));
    expect(procId).toBe('in_stance');
  });

  it('frames by octet count in bytes, not characters, and splits back to the same messages', () => {
    const message = formatSyslogMessage(line({ line: 'héllo ✓' }), 'node-a');
    const frame = frameSyslogMessage(message);
    expect(frame.toString('utf8')).toBe(`${Buffer.byteLength(message)} ${message}`);
    const batch = syslogFrames([line({ id: 1 }), line({ id: 2, line: 'héllo ✓' }), line({ id: 3 })], 'node-a');
    const { frames, rest } = splitOctetCountedFrames(batch);
    expect(rest.length).toBe(0);
    expect(frames.map((f) => /seq="(\d+)"/u.exec(f)?.[1])).toEqual(['1', '2', '3']);
    expect(frames[1]?.endsWith('héllo ✓')).toBe(true);
  });
});
