import { parseRange } from './range';

describe('parseRange', () => {
  const size = 100;

  it.each([
    [undefined, { kind: 'whole' }],
    ['bytes=0-9', { kind: 'partial', start: 0, end: 9 }],
    ['bytes=90-', { kind: 'partial', start: 90, end: 99 }],
    ['bytes=90-1000', { kind: 'partial', start: 90, end: 99 }],
    ['bytes=-10', { kind: 'partial', start: 90, end: 99 }],
    ['bytes=-1000', { kind: 'partial', start: 0, end: 99 }],
    ['Bytes = 5 - 5', { kind: 'partial', start: 5, end: 5 }],
    ['bytes=100-', { kind: 'unsatisfiable' }],
    ['bytes=100-200', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    // ignored, so the whole blob is served: another unit, several ranges, nonsense, reversed
    ['items=0-9', { kind: 'whole' }],
    ['bytes=0-9,20-29', { kind: 'whole' }],
    ['bytes=a-b', { kind: 'whole' }],
    ['bytes=9-0', { kind: 'whole' }],
    ['bytes=-', { kind: 'whole' }],
    ['bytes=99999999999999999999-', { kind: 'whole' }],
  ])('%s of 100 bytes', (header, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });

  it('cannot satisfy any range of an empty blob', () => {
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-5', 0)).toEqual({ kind: 'unsatisfiable' });
  });
});
