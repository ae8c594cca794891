import { chooseCandidates, dispatchRoom } from './dispatch-choice';

describe('dispatch choice', () => {
  const limits = { overall: 10, perRegistry: 3 };

  it('has the overall limit minus every registry in flight as room, and reads twice that many candidates', () => {
    expect(dispatchRoom([], limits)).toEqual({ free: 10, saturated: [], candidates: 20 });
    expect(
      dispatchRoom(
        [
          { registry: 'docker.io', n: 3 },
          { registry: 'ghcr.io', n: 2 },
        ],
        limits,
      ),
    ).toEqual({ free: 5, saturated: ['docker.io'], candidates: 10 });
  });

  it('has no room at the overall limit (or past it, after the limit was lowered)', () => {
    expect(dispatchRoom([{ registry: 'a', n: 10 }], { overall: 10, perRegistry: 50 }).free).toBe(0);
    expect(dispatchRoom([{ registry: 'a', n: 12 }], { overall: 10, perRegistry: 50 }).free).toBe(-2);
    expect(chooseCandidates([{ id: 's1', registry: 'b' }], [{ registry: 'a', n: 12 }], { overall: 10, perRegistry: 50 })).toEqual([]);
  });

  it('reads at most 500 candidates a round', () => {
    expect(dispatchRoom([], { overall: 100000, perRegistry: 50 }).candidates).toBe(500);
  });

  it('takes candidates in the order offered (API first, tenants in turn) up to the overall room', () => {
    const candidates = ['s1', 's2', 's3', 's4'].map((id, i) => ({ id, registry: `r${i}` }));
    expect(chooseCandidates(candidates, [{ registry: 'x', n: 8 }], limits)).toEqual(['s1', 's2']);
  });

  it('passes over a registry that fills up and still hands out later candidates of other registries', () => {
    const candidates = [
      { id: 's1', registry: 'docker.io' },
      { id: 's2', registry: 'docker.io' },
      { id: 's3', registry: 'docker.io' },
      { id: 's4', registry: 'ghcr.io' },
      { id: 's5', registry: 'docker.io' },
      { id: 's6', registry: 'quay.io' },
    ];
    expect(chooseCandidates(candidates, [{ registry: 'docker.io', n: 1 }], limits)).toEqual(['s1', 's2', 's4', 's6']);
  });
});
