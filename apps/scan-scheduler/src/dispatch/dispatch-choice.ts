/** Jobs handed out and not finished yet, on one registry host. */
export interface InFlightCount {
  registry: string;
  n: number;
}

export interface DispatchLimits {
  /** MAX_IN_FLIGHT */
  overall: number;
  /** MAX_IN_FLIGHT_PER_REGISTRY */
  perRegistry: number;
}

/** A queued scan the backlog query offers, in dispatch order (API first, tenants in turn). */
export interface DispatchCandidate {
  id: string;
  registry: string;
}

/** Most candidates read per round, however much room there is: the backlog query stays cheap. */
const MAX_CANDIDATES = 500;

/** How much room one dispatch round has. */
export interface DispatchRoom {
  /** Jobs that may still be handed out overall. */
  free: number;
  /** Registries at their limit: the backlog query leaves them out, so their backlog cannot hide other registries'. */
  saturated: string[];
  /** How many candidates to read: twice the room, since some may be for registries that fill up this round. */
  candidates: number;
}

export function dispatchRoom(inFlight: readonly InFlightCount[], limits: DispatchLimits): DispatchRoom {
  const free = limits.overall - inFlight.reduce((sum, row) => sum + row.n, 0);
  return {
    free,
    saturated: inFlight.filter((row) => row.n >= limits.perRegistry).map((row) => row.registry),
    candidates: Math.min(free * 2, MAX_CANDIDATES),
  };
}

/**
 * The candidates to hand out, in the order offered, while there is room overall and on their
 * registry: a candidate whose registry fills up is passed over, and later ones for other
 * registries still go.
 */
export function chooseCandidates(
  candidates: readonly DispatchCandidate[],
  inFlight: readonly InFlightCount[],
  limits: DispatchLimits,
): string[] {
  const perRegistry = new Map(inFlight.map((row) => [row.registry, row.n]));
  let free = dispatchRoom(inFlight, limits).free;
  const chosen: string[] = [];
  for (const candidate of candidates) {
    if (free <= 0) break;
    const used = perRegistry.get(candidate.registry) ?? 0;
    if (used >= limits.perRegistry) continue;
    perRegistry.set(candidate.registry, used + 1);
    free -= 1;
    chosen.push(candidate.id);
  }
  return chosen;
}
