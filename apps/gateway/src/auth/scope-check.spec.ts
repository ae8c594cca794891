import { Scope } from '../entities';
import { bearerToken, isOperator, missingScopes } from './scope-check';

describe('scope checks', () => {
  it('reads the key of a Bearer header, scheme in any case', () => {
    expect(bearerToken('Bearer vsk_abc')).toBe('vsk_abc');
    expect(bearerToken('bearer   vsk_abc')).toBe('vsk_abc');
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken('')).toBeNull();
    expect(bearerToken('Basic dXNlcjpwdw==')).toBeNull();
    expect(bearerToken('Bearer two words')).toBeNull();
  });

  it('passes a key holding every required scope', () => {
    expect(missingScopes([Scope.ScansRead], [Scope.ScansRead])).toEqual([]);
    expect(missingScopes([Scope.ScansRead, Scope.ScansWrite], [Scope.ScansWrite, Scope.ScansRead])).toEqual([]);
    expect(missingScopes([], [])).toEqual([]);
  });

  it('names the scopes a key lacks: write does not imply read', () => {
    expect(missingScopes([Scope.ScansRead], [Scope.ScansWrite])).toEqual(['scans:read']);
    expect(missingScopes([Scope.ScansWrite], [Scope.ScansRead])).toEqual(['scans:write']);
    expect(missingScopes([Scope.Admin], [Scope.ScansRead, Scope.ScansWrite])).toEqual(['admin']);
  });

  it("passes a tenant admin on its tenant's routes, never on the operator's", () => {
    expect(missingScopes([Scope.ScansRead, Scope.ScansWrite, Scope.Admin], [Scope.Admin])).toEqual([]);
    expect(missingScopes([Scope.PlatformAdmin], [Scope.Admin, Scope.ScansRead, Scope.ScansWrite])).toEqual(['platform:admin']);
    expect(isOperator([Scope.Admin])).toBe(false);
  });

  it('passes an operator key everywhere', () => {
    expect(missingScopes(Object.values(Scope), [Scope.PlatformAdmin])).toEqual([]);
    expect(isOperator([Scope.ScansRead, Scope.PlatformAdmin])).toBe(true);
  });
});
