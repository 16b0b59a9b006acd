import { describe, expect, it } from 'vitest';
import { composeDirOf, joinComposePath } from './compose-path.js';

describe('joinComposePath', () => {
  it('joins and normalizes as path.posix.resolve does, never above the root', () => {
    expect(joinComposePath('/srv/shop', './web')).toBe('/srv/shop/web');
    expect(joinComposePath('/srv/shop', '../api/.')).toBe('/srv/api');
    expect(joinComposePath('/srv/shop', '/opt/app')).toBe('/opt/app');
    expect(joinComposePath('/', '../../etc')).toBe('/etc');
    expect(joinComposePath('/deploy', '.')).toBe('/deploy');
  });

  it('takes the directory of a repository path', () => {
    expect(composeDirOf('deploy/compose.yaml')).toBe('deploy');
    expect(composeDirOf('compose.yaml')).toBe('');
  });
});
