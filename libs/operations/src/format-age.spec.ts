import { formatAge } from './format-age';

describe('formatAge', () => {
  it.each([
    [0, '0s'],
    [59.9, '59s'],
    [192, '3m 12s'],
    [7_500, '2h 05m'],
    [273_600, '3d 04h'],
  ])('%d seconds read as %s', (seconds, expected) => {
    expect(formatAge(seconds)).toBe(expected);
  });

  it('reads an unknown age as a dash', () => {
    expect(formatAge(null)).toBe('–');
    expect(formatAge(undefined)).toBe('–');
  });
});
