import { describe, expect, it } from 'vitest';
import { planSuccessor, type RunningListeners } from './successor-plan.js';

const running: RunningListeners = {
  command: { entry: '/opt/edge.mjs', args: ['--listen', '127.0.0.1:8080', '--state-dir', '/var/edge'] },
  listen: { host: '127.0.0.1', port: 8080 },
  secureListen: { host: '0.0.0.0', port: 8443 },
  stateDir: '/var/edge',
};

describe('planning a successor', () => {
  it('without new flags, starts one like the running router and hands it every listener', () => {
    expect(planSuccessor(running)).toEqual({
      command: running.command,
      isTrafficHandedOver: true,
      isSecureTrafficHandedOver: true,
    });
    expect(planSuccessor({ ...running, secureListen: undefined }).isSecureTrafficHandedOver).toBe(false);
  });

  it('hands over the listeners whose address stays, and leaves a moved or new one to the successor', () => {
    const args = ['--listen', '127.0.0.1:8080', '--state-dir', '/var/edge', '--tls-listen', '0.0.0.0:9443'];
    expect(planSuccessor(running, args)).toEqual({
      command: { entry: '/opt/edge.mjs', args },
      isTrafficHandedOver: true,
      isSecureTrafficHandedOver: false,
    });
    const moved = planSuccessor({ ...running, secureListen: undefined }, [
      '--listen=127.0.0.1:9090',
      '--state-dir=/var/edge',
      '--tls-listen',
      '0.0.0.0:8443',
      '--max-connections',
      '10',
    ]);
    expect(moved).toMatchObject({ isTrafficHandedOver: false, isSecureTrafficHandedOver: false });
  });

  it('reads the program defaults for flags left out', () => {
    const plan = planSuccessor({ ...running, stateDir: '.slipway/edge', secureListen: undefined }, ['--workers', '2']);
    expect(plan).toMatchObject({ isTrafficHandedOver: true, isSecureTrafficHandedOver: false });
  });

  it('refuses another state directory, flags reserved to the router, and addresses that are not HOST:PORT', () => {
    expect(() => planSuccessor(running, ['--state-dir', '/elsewhere'])).toThrow(/must keep the state directory/);
    expect(() => planSuccessor(running, ['--state-dir', '/var/edge', '--take-over'])).toThrow(/--take-over/);
    expect(() => planSuccessor(running, ['--state-dir', '/var/edge', '--listen', 'nowhere'])).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }) as Error,
    );
  });
});
