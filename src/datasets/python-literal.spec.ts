import { parsePythonLiteral, PythonLiteralError } from './python-literal';

describe('parsePythonLiteral', () => {
  it('parses the shapes pandas writes: lists of dicts, quotes of both kinds, None/True/False, numbers', () => {
    expect(parsePythonLiteral("[{'id': 16, 'name': 'Animation'}, {'id': 35, 'name': 'Comedy'}]")).toEqual([
      { id: 16, name: 'Animation' },
      { id: 35, name: 'Comedy' },
    ]);
    expect(parsePythonLiteral(`{'name': "Denis O'Brien", 'p': None, 'a': True, 'b': False, 'x': -1.5e2, 'y': .5, 1: (1, 2,)}`)).toEqual({
      name: "Denis O'Brien",
      p: null,
      a: true,
      b: false,
      x: -150,
      y: 0.5,
      '1': [1, 2],
    });
    expect(parsePythonLiteral("'it\\'s \\xe9t\\u00e9\\n'")).toBe("it's été\n");
    expect(parsePythonLiteral('[]')).toEqual([]);
  });

  it('fails with a position instead of guessing', () => {
    expect(() => parsePythonLiteral("[{'id': 1")).toThrow(PythonLiteralError);
    expect(() => parsePythonLiteral("[{'id': 1")).toThrow(/unclosed '\{'/);
    expect(() => parsePythonLiteral("['a' 'b']")).toThrow(/at character 6: expected ','/);
    expect(() => parsePythonLiteral('[os.system()]')).toThrow(/unexpected character/);
    expect(() => parsePythonLiteral("'open")).toThrow(/unterminated string/);
    expect(() => parsePythonLiteral('[1] x')).toThrow(/trailing/);
  });
});
