import { describe, expect, it } from 'vitest';
import { isAllowedHost } from '../../electron/core/proxy/host-check';

describe('isAllowedHost', () => {
  it('accepts loopback names with or without a port', () => {
    for (const host of ['127.0.0.1', '127.0.0.1:8080', 'localhost', 'LOCALHOST:3000', '[::1]', '[::1]:443', '127.1.2.3:80']) {
      expect(isAllowedHost(host), host).toBe(true);
    }
  });

  it('refuses other names, malformed values and a missing Host', () => {
    for (const host of [undefined, '', 'evil.com', 'localhost.evil.com', '127.0.0.1.evil.com', '128.0.0.1', '127.0.0.256', '[::2]', 'localhost:abc', '[::1', '0.0.0.0', '10.0.0.1:80']) {
      expect(isAllowedHost(host), String(host)).toBe(false);
    }
  });

  it('accepts configured hosts, case-insensitively and whatever the port', () => {
    expect(isAllowedHost('Keygate.lan:8080', ['keygate.lan'])).toBe(true);
    expect(isAllowedHost('192.168.1.5:8080', ['192.168.1.5:9999'])).toBe(true);
    expect(isAllowedHost('other.lan', ['keygate.lan'])).toBe(false);
  });
});
