import type { Member } from '../resolve/member.js';
import type { As3Object } from './as3-types.js';

/**
 * AS3 pool members, one entry per port with its sorted addresses. `shareNodes` puts the BIG-IP
 * node objects in /Common, so the same node address may serve pools of several tenants (without
 * it, a node IP used by two partitions fails the second tenant).
 */
export function translateMembers(members: Member[]): As3Object['members'] {
  const byPort = new Map<number, string[]>();
  for (const m of members) {
    const list = byPort.get(m.port);
    if (list) list.push(m.address);
    else byPort.set(m.port, [m.address]);
  }
  return [...byPort.keys()].sort((a, b) => a - b).map((port) => ({
    servicePort: port,
    serverAddresses: byPort.get(port),
    shareNodes: true,
  }));
}

export function translatePool(members: Member[], monitors: Array<{ use: string } | { bigip: string }>, remark: string): As3Object {
  const pool: As3Object = {
    class: 'Pool',
    loadBalancingMode: 'round-robin',
    members: translateMembers(members),
    remark,
  };
  if (monitors.length > 0) pool['monitors'] = monitors;
  return pool;
}
