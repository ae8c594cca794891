import 'reflect-metadata';
import { parseMessage } from '../validation';
import { Events } from '../wire-names';

const envelope = (payload: object) =>
  JSON.stringify({
    id: '0193a1b2-0000-7000-8000-000000000001',
    type: Events.TenantDeleted,
    version: 1,
    occurredAt: '2026-12-08T00:00:00.000Z',
    correlationId: 'c',
    tenantId: 'team-a',
    payload,
  });

const valid = { tenantId: 'team-a', incarnation: 2, deletedAt: '2026-12-08T00:00:00.000Z', quietUntil: '2026-12-08T00:05:00.000Z' };

describe('TenantDeleted', () => {
  it('has the wire name it will always have', () => {
    expect(Events.TenantDeleted).toBe('tenant.deleted.v1');
  });

  it('accepts a tenant id, its incarnation and the deletion times', () => {
    expect(parseMessage(Events.TenantDeleted, envelope(valid)).payload).toEqual(valid);
  });

  it.each([
    ['no incarnation', { ...valid, incarnation: undefined }, 'incarnation'],
    ['incarnation 0', { ...valid, incarnation: 0 }, 'incarnation'],
    ['a fractional incarnation', { ...valid, incarnation: 1.5 }, 'incarnation'],
    ['an id that is no tenant slug', { ...valid, tenantId: 'Team A' }, 'tenantId'],
    ['an id of 65 characters', { ...valid, tenantId: 'a'.repeat(65) }, 'tenantId'],
    ['a deletion time that is no time', { ...valid, deletedAt: 'yesterday' }, 'deletedAt'],
    ['no quiet period end', { ...valid, quietUntil: undefined }, 'quietUntil'],
  ])('refuses %s, naming the field', (_what, payload, field) => {
    expect(() => parseMessage(Events.TenantDeleted, envelope(payload))).toThrow(new RegExp(`tenant.deleted.v1 payload: .*${field}`));
  });
});
