import type { MonitorModel } from '../model/virtual.js';
import type { As3Object } from '../model/as3-types.js';

/** AS3 Monitor object for a monitor defined in the resource (not a BIG-IP reference). */
export function translateMonitor(monitor: Exclude<MonitorModel, { bigip: string }>): As3Object {
  const out: As3Object = { class: 'Monitor', monitorType: monitor.type };
  if (monitor.send !== undefined) out['send'] = monitor.send;
  if (monitor.receive !== undefined) out['receive'] = monitor.receive;
  if (monitor.interval !== undefined) out['interval'] = monitor.interval;
  if (monitor.timeout !== undefined) out['timeout'] = monitor.timeout;
  if (monitor.targetPort !== undefined) out['targetPort'] = monitor.targetPort;
  if (monitor.timeUntilUp !== undefined) out['timeUntilUp'] = monitor.timeUntilUp;
  // An https monitor probes with the BIG-IP server-ssl profile the user named (CIS `sslProfile`).
  if (monitor.type === 'https' && monitor.sslProfile !== undefined) out['clientTLS'] = { bigip: monitor.sslProfile };
  return out;
}
