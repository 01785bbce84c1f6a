import { formatAge, prettyBody, truncate } from './format';

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
});

describe('truncate', () => {
  it('flattens whitespace and cuts with an ellipsis', () => {
    expect(truncate('a\n  b', 10)).toBe('a b');
    expect(truncate('abcdefghijk', 5)).toBe('abcd…');
  });
});

describe('prettyBody', () => {
  it('indents JSON and leaves anything else as it is', () => {
    expect(prettyBody('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyBody('not json')).toBe('not json');
  });
});
