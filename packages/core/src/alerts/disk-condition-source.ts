/** The `disk-usage` condition source: the share of the data dir's filesystem in use, from the `DiskUsage` port. */
import type { DiskUsage } from '../ports/disk-usage.js';
import { alertKindSpecs, formatAlertValue } from './alert-kinds.js';
import type { AlertConditionSource } from './alert-conditions.js';

const gib = 1024 ** 3;

export function createDiskConditionSource(disk: DiskUsage): AlertConditionSource {
  return {
    async observe(rule) {
      const reading = await disk.read();
      const threshold = rule.threshold ?? alertKindSpecs['disk-usage'].threshold?.defaultValue ?? 1;
      const base = { subjectKey: 'disk', subject: 'the data dir', appId: null, environmentId: null };
      if (reading.sizeBytes <= 0) {
        return [{ ...base, condition: 'no-data', value: null, message: 'the filesystem reports no size' }];
      }
      const value = 1 - reading.availableBytes / reading.sizeBytes;
      return [
        {
          ...base,
          condition: value > threshold ? 'active' : 'inactive',
          value,
          message: `${formatAlertValue(value, 'share')} of the data dir's filesystem in use (${(reading.availableBytes / gib).toFixed(1)} GiB free of ${(reading.sizeBytes / gib).toFixed(1)} GiB)`,
        },
      ];
    },
  };
}
