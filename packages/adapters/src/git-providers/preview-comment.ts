/** The one comment (GitHub) or note (GitLab) a preview keeps on its pull request, rewritten in place at each change. */
import type { PreviewStatus } from '@slipway/core';

const headline: Record<PreviewStatus['state'], string> = {
  waiting: '⏸ Waiting',
  building: '🔄 Deploying',
  ready: '✅ Ready',
  failed: '❌ Failed',
  removed: '🗑 Removed',
};

/** Markdown; the marker lets a person (or a later Slipway) tell it from other comments. */
export function previewCommentBody(status: PreviewStatus): string {
  const lines = [
    `<!-- slipway-preview ${status.environment} -->`,
    `**Slipway preview** \`${status.environment}\`: ${headline[status.state]}`,
    '',
    '| Commit | Status | Preview |',
    '| --- | --- | --- |',
    `| \`${status.commit.slice(0, 7)}\` | ${escapeCell(status.description)} | ${links(status)} |`,
  ];
  return lines.join('\n');
}

function links(status: PreviewStatus): string {
  if (status.url === null) return '—';
  const alias = status.aliasUrl === null ? '' : ` ([this commit](${status.aliasUrl}))`;
  return `[${status.url.replace(/^https?:\/\//, '')}](${status.url})${alias}`;
}

function escapeCell(text: string): string {
  return text
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ')
    .slice(0, 300);
}

/** Commit status descriptions are short on every provider (GitHub: 140 characters). */
export function shortDescription(text: string): string {
  return text.length <= 140 ? text : `${text.slice(0, 139)}…`;
}
