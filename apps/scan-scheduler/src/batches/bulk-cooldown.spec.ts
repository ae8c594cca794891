import { bulkCooldownWait } from './bulk-cooldown';

describe('bulk scan cooldown', () => {
  it('lets the first bulk scan of a tenant go at once', () => {
    expect(bulkCooldownWait(undefined, 60)).toBe(0);
  });

  it('answers the whole seconds left, rounded up', () => {
    expect(bulkCooldownWait(0.2, 60)).toBe(60);
    expect(bulkCooldownWait(12.5, 60)).toBe(48);
  });

  it('waits at least one second while the cooldown runs, and not at all once it ran out', () => {
    expect(bulkCooldownWait(59.9999, 60)).toBe(1);
    expect(bulkCooldownWait(60, 60)).toBe(0);
    expect(bulkCooldownWait(3600, 60)).toBe(0);
  });

  it('never waits with BULK_COOLDOWN=0', () => {
    expect(bulkCooldownWait(0, 0)).toBe(0);
  });
});
