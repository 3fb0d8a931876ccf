// Where webhooks may go. A URL that points at this server itself is refused (a delivery loop). Private and
// loopback addresses are allowed by default — self-hosted receivers usually live on the same network — and
// can be forbidden with VERITY_WEBHOOK_PRIVATE_ADDRESSES=deny, checked when the endpoint is saved and again
// at every delivery (after DNS resolution, so a name cannot be re-pointed at an internal address).
import dns from 'node:dns/promises';
import net from 'node:net';

export type PrivatePolicy = 'allow' | 'deny';

export function isPrivateAddress(ip: string): boolean {
  if (net.isIPv4(ip)) {
    const [a, b] = ip.split('.').map(Number);
    return (
      a === 10 ||
      a === 127 ||
      a === 0 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  const v = ip.toLowerCase();
  if (v === '::1' || v === '::') return true;
  const mapped = mappedIPv4(v);
  if (mapped) return isPrivateAddress(mapped);
  return v.startsWith('fc') || v.startsWith('fd') || v.startsWith('fe80');
}

/** The IPv4 address inside an IPv4-mapped IPv6 one, in either spelling: ::ffff:10.0.0.1 or ::ffff:a00:1 (how URL writes it). */
function mappedIPv4(v: string): string | null {
  const m = /^::ffff:(?:0:)?(.+)$/.exec(v);
  if (!m) return null;
  if (net.isIPv4(m[1])) return m[1];
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(m[1]);
  if (!hex) return null;
  const [hi, lo] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Loopback or unspecified: an address that reaches this very machine. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const v4 = net.isIPv4(h) ? h : net.isIPv6(h) ? mappedIPv4(h) : null;
  if (v4) return v4.startsWith('127.') || v4 === '0.0.0.0';
  return h === '::1' || h === '::';
}

/** Why a URL is refused as a webhook destination, or null when it is acceptable. */
export function urlProblem(raw: string, self: { publicUrl: string; port: number }): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'it is not a valid URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'it must use http or https';
  if (u.username || u.password) return 'it must not contain credentials';
  const pub = new URL(self.publicUrl);
  const port = (x: URL) => x.port || (x.protocol === 'https:' ? '443' : '80');
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (u.host === pub.host && port(u) === port(pub)) return 'it points at this Verity server';
  if (isLoopback(host) && port(u) === String(self.port)) return 'it points at this Verity server';
  return null;
}

/** Resolves the URL's host and refuses private addresses when the policy says so. */
export async function assertDeliverable(raw: string, policy: PrivatePolicy): Promise<void> {
  if (policy === 'allow') return;
  const host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
  const addrs = net.isIP(host) ? [host] : (await dns.lookup(host, { all: true })).map((a) => a.address);
  const bad = addrs.find(isPrivateAddress);
  if (bad) throw new Error(`refused: ${host} resolves to the private address ${bad} (VERITY_WEBHOOK_PRIVATE_ADDRESSES=deny)`);
}
