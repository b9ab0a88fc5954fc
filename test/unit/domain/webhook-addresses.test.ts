import { describe, expect, it } from 'vitest';
import { isPublicAddress } from '../../../shared/webhooks/addresses';

describe('webhook address filter', () => {
  it('refuses non-public IPv4', () => {
    for (const address of [
      '0.0.0.0',
      '10.1.2.3',
      '100.64.0.1',
      '100.127.255.254',
      '127.0.0.1',
      '127.255.255.255',
      '169.254.169.254',
      '172.16.0.1',
      '172.31.255.255',
      '192.0.0.8',
      '192.0.2.1',
      '192.168.1.1',
      '198.18.0.1',
      '198.51.100.7',
      '203.0.113.9',
      '224.0.0.1',
      '239.255.255.250',
      '240.0.0.1',
      '255.255.255.255',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });

  it('accepts public IPv4, including the edges of refused ranges', () => {
    for (const address of [
      '1.1.1.1',
      '8.8.8.8',
      '100.63.255.255',
      '100.128.0.0',
      '172.15.255.255',
      '172.32.0.0',
      '169.253.255.255',
      '93.184.216.34',
    ]) {
      expect(isPublicAddress(address), address).toBe(true);
    }
  });

  it('refuses non-public IPv6 and IPv4-mapped forms of refused IPv4', () => {
    for (const address of [
      '::',
      '::1',
      'fe80::1',
      'fe80::1%eth0',
      'fc00::1',
      'fd12:3456::1',
      'ff02::1',
      '2001:db8::1',
      '2001::1',
      '2002:7f00:1::1',
      '64:ff9b::7f00:1',
      '::127.0.0.1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:169.254.169.254',
      '::ffff:a9fe:a9fe',
      '::FFFF:10.0.0.1',
      '0:0:0:0:0:ffff:192.168.0.1',
      // A zone ID is refused on any address, a global one included.
      '2606:4700:4700::1111%eth0',
      '2001:4860::1%1',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });

  it('accepts global unicast IPv6 and IPv4-mapped public addresses', () => {
    for (const address of [
      '2606:4700:4700::1111',
      '2a00:1450:4001:81b::200e',
      '::ffff:8.8.8.8',
      '::ffff:808:808',
      // Judged as global unicast, not as a mapped address: `::ffff:a:b` only at the start and as the whole
      // address (`::ffff:7f00:1` is 127.0.0.1).
      '2606:4700::ffff:7f00:1',
    ]) {
      expect(isPublicAddress(address), address).toBe(true);
    }
  });

  it('refuses an address that only begins like an IPv4-mapped one, even when that IPv4 address is public', () => {
    // `::ffff:808:808:1` is not 8.8.8.8: outside global unicast, so refused.
    expect(isPublicAddress('::ffff:808:808:1')).toBe(false);
  });

  it('refuses what is not an address', () => {
    for (const address of ['', 'localhost', 'example.com', '1.2.3', '999.1.1.1']) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });
});
