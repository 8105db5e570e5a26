import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root.js';
import { VERSION } from '../version.js';
import { deployMode, USER_AGENT, userAgent } from './user-agent.js';

describe('net/user-agent', () => {
  it('carries the package.json version in Alloy\'s "<product>/<version> (<os>; <mode>)" shape', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8'));
    expect(VERSION).toBe(pkg.version);
    expect(USER_AGENT).toBe(`alloy-ts/${pkg.version} (${process.platform}; ${deployMode()})`);
    expect(userAgent({ AGENT_DEPLOY_MODE: 'helm' }, 'linux', '1.2.3')).toBe('alloy-ts/1.2.3 (linux; helm)');
  });

  it('only names a deploy mode Alloy knows, "binary" otherwise', () => {
    expect(deployMode({ AGENT_DEPLOY_MODE: 'docker' })).toBe('docker');
    expect(deployMode({ AGENT_DEPLOY_MODE: 'my laptop' })).toBe('binary');
    expect(deployMode({})).toBe('binary');
  });
});
