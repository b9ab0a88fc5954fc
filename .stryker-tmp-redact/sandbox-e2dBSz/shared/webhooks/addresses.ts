// @ts-nocheck
import { BlockList, isIP } from 'node:net';

/**
 * Which addresses a deployed service may send webhooks to: public unicast only. Refused: for IPv4
 * "this network", private (RFC 1918), CGNAT (100.64/10), loopback, link-local (169.254/16, the metadata
 * service's range), IETF protocol assignments, documentation and benchmarking ranges, 6to4 relay,
 * multicast, reserved and broadcast; for IPv6 everything outside global unicast (2000::/3: so loopback,
 * unspecified, link-local, unique local, multicast, NAT64 and IPv4-compatible forms), and within it the
 * IETF protocol assignments (2001::/23, Teredo included), documentation (2001:db8::/32) and 6to4
 * (2002::/16). An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is judged as the IPv4 address it maps.
 */
const blocked4 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked4.addSubnet(network, prefix, 'ipv4');
}

const global6 = new BlockList();
global6.addSubnet('2000::', 3, 'ipv6');
const blocked6 = new BlockList();
for (const [network, prefix] of [
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
] as const) {
  blocked6.addSubnet(network, prefix, 'ipv6');
}

/** The IPv4 address an IPv4-mapped IPv6 address stands for (`::ffff:1.2.3.4` or `::ffff:102:304`). */
function mappedIpv4(address: string): string | undefined {
  const normalized = new URL(`http://[${address}]/`).hostname.slice(1, -1).toLowerCase();
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(normalized);
  if (!hex) return undefined;
  const high = parseInt(hex[1]!, 16);
  const low = parseInt(hex[2]!, 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** Whether a webhook may be sent to `address` (an IP address; anything else is not). */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !blocked4.check(address, 'ipv4');
  if (family !== 6) return false;
  const zoneless = address.split('%')[0]!;
  if (address.includes('%')) return false;
  const mapped = mappedIpv4(zoneless);
  if (mapped !== undefined) return !blocked4.check(mapped, 'ipv4');
  return global6.check(zoneless, 'ipv6') && !blocked6.check(zoneless, 'ipv6');
}
