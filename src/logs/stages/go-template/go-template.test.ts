// The Go template subset against outputs Go's text/template (with Alloy's
// function map) gives for the same template and data.
import { createHash } from 'node:crypto';
import { compileTemplate } from './index.js';

const render = (tmpl: string, data: Record<string, unknown> = {}) => compileTemplate(tmpl).execute(data);

describe('Go template subset', () => {
  it.each([
    ['plain text', 'hello_world', {}, 'hello_world'],
    ['field', '{{ .app }}-{{.Value}}', { app: 'a', Value: 'v' }, 'a-v'],
    ['missing key prints <no value>', '[{{ .nope }}]', {}, '[<no value>]'],
    ['pipe into function', '{{ .app | ToUpper }}', { app: 'loki' }, 'LOKI'],
    ['chained pipes', '{{ .v | ToLower | TrimSpace }}', { v: '  ABC ' }, 'abc'],
    ['Replace with n', '{{ Replace .Value "loki" "Loki" 2 }}', { Value: 'loki loki loki' }, 'Loki Loki loki'],
    ['Replace n=-1 and empty old', '{{ Replace .Value "" "-" -1 }}', { Value: 'ab' }, '-a-b-'],
    ['Trim cutset', '{{ Trim .Value ",. " }}', { Value: ' ,.hi. ,' }, 'hi'],
    ['TrimLeft / TrimRight', '{{ TrimLeft .Value "x" }}|{{ TrimRight .Value "x" }}', { Value: 'xxaxx' }, 'axx|xxa'],
    ['TrimPrefix / TrimSuffix', '{{ TrimPrefix .Value "--" }}|{{ TrimSuffix .Value "--" }}', { Value: '--a--' }, 'a--|--a'],
    ['if/else with eq', '{{ if eq .Value "200" }}{{ Replace .Value "200" "HttpStatusOk" -1 }}{{ else }}{{ .Value | ToUpper }}{{ end }}', { Value: '200' }, 'HttpStatusOk'],
    ['else branch', '{{ if eq .Value "200" }}ok{{ else }}{{ .Value | ToUpper }}{{ end }}', { Value: 'err' }, 'ERR'],
    ['else if chain', '{{ if eq .v "a" }}A{{ else if eq .v "b" }}B{{ else }}C{{ end }}', { v: 'b' }, 'B'],
    ['if on missing key is false', '{{ if .nope }}y{{ else }}n{{ end }}', {}, 'n'],
    ['and / or / not', '{{ if and .a (not .b) }}1{{ end }}{{ or .b .a }}', { a: 'x', b: '' }, '1x'],
    ['eq with several', '{{ eq .v "x" "y" "z" }}', { v: 'z' }, 'true'],
    ['with rebinds dot', '{{ with .a }}<{{ . }}>{{ end }}{{ with .nope }}no{{ else }}else{{ end }}', { a: 'A' }, '<A>else'],
    ['variables', '{{ $x := ToUpper .a }}{{ $x }}-{{ $.a }}', { a: 'q' }, 'Q-q'],
    ['trim markers', 'a  {{- .v -}}  b', { v: 'X' }, 'aXb'],
    ['comment', 'a{{/* ignored */}}b', {}, 'ab'],
    ['raw string', '{{ regexReplaceAllLiteral `(ts=)` .Value "timestamp=" }}', { Value: 'ts=1 ts=2' }, 'timestamp=1 timestamp=2'],
    ['regexReplaceAll expands $1 and ${1}', '{{ regexReplaceAll "(a*)bc" .Value "${1}a" }}', { Value: 'aabcxbc' }, 'aaaxa'],
    ['printf', '{{ printf "%s=%d %q %5s|%-3s|" "k" 7 "q" "r" "l" }}', {}, 'k=7 "q"     r|l  |'],
    ['len counts bytes', '{{ len .v }}', { v: 'héllo' }, '6'],
    ['index into map', '{{ index . "a-b" }}', { 'a-b': 'dash' }, 'dash'],
    ['sprig string helpers', '{{ .v | lower | replace "o" "0" | trunc 4 }}|{{ "x" | repeat 3 }}|{{ default "d" .nope }}|{{ .v | hasPrefix "HE" }}', { v: 'HELLO WORLD' }, 'hell|xxx|d|true'],
    ['sprig list helpers', '{{ splitList "," .v | join "+" }}|{{ range $i, $x := splitList "," .v }}{{ $i }}{{ $x }}{{ end }}', { v: 'a,b,c' }, 'a+b+c|0a1b2c'],
    ['sprig b64 and sha256sum', '{{ b64enc .v }}|{{ b64enc .v | b64dec }}|{{ sha256sum .v }}', { v: 'hi' }, `aGk=|hi|${createHash('sha256').update('hi').digest('hex')}`],
    ['sprig arithmetic', '{{ add 1 2 3 }} {{ sub 5 7 }} {{ mul 2 3 }} {{ div 7 2 }} {{ mod 7 2 }}', {}, '6 -2 6 3 1'],
    ['parenthesised pipeline', '{{ (ToUpper .a) | printf "<%s>" }}', { a: 'x' }, '<X>'],
    ['print spacing', '{{ print "a" 1 2 "b" }}', {}, 'a1 2b'],
    // Checked against Go's text/template: a missing value in eq/ne, as a field base, or passed to printf.
    ['eq / ne with a missing value', '{{ if eq .Value "a" }}y{{ else }}n{{ end }}{{ ne .nope "x" }}', {}, 'ntrue'],
    ['field of a missing value', '{{ .a.b }}', {}, '<no value>'],
    ['missing value passed to printf is nil', '{{ printf "%v|%s" .nope .nope }}', {}, '<nil>|%!s(<nil>)'],
    ['whole map', '{{ . }}', { b: '2', a: '1' }, 'map[a:1 b:2]'],
  ])('%s', (_name, tmpl, data, want) => {
    expect(render(tmpl, data)).toBe(want);
  });

  it('Hash is SHA3-256 and Sha2Hash SHA-256 of the two arguments concatenated (Alloy: salt + input)', () => {
    expect(render('{{ Hash .Value "salt" }}', { Value: 'secret' })).toBe(createHash('sha3-256').update('secretsalt').digest('hex'));
    expect(render('{{ Sha2Hash .Value "salt" }}', { Value: 'secret' })).toBe(createHash('sha256').update('secretsalt').digest('hex'));
    expect(render('*IP4*{{ .Value | Hash "salt" }}*', { Value: '1.2.3.4' })).toBe(`*IP4*${createHash('sha3-256').update('salt1.2.3.4').digest('hex')}*`);
  });

  it('execution errors as Go reports them', () => {
    expect(() => render('{{ ToUpper .nope }}')).toThrow(/invalid value; expected string/);
    expect(() => render('{{ Replace .v "a" }}', { v: 'x' })).toThrow(/wrong number of args for Replace: want 4 got 2/);
    expect(() => render('{{ .v.w }}', { v: 'x' })).toThrow(/can't evaluate field w in type string/);
    expect(() => render('{{ lt .v 1 }}', { v: 'x' })).toThrow(/incompatible types for comparison/);
    expect(() => render('{{ regexReplaceAll "(" .v "" }}', { v: 'x' })).toThrow(/error calling regexReplaceAll/);
  });

  it('parse errors: unknown function, unclosed action or block, stray end/else', () => {
    expect(() => compileTemplate('{{ nope .x }}')).toThrow(/function "nope" not defined/);
    expect(() => compileTemplate('{{ .x ')).toThrow(/unclosed action/);
    expect(() => compileTemplate('{{ if .x }}a')).toThrow(/has no \{\{end\}\}/);
    expect(() => compileTemplate('{{ end }}')).toThrow(/unexpected \{\{end\}\}/);
    expect(() => compileTemplate('{{ else }}')).toThrow(/unexpected \{\{else\}\}/);
    expect(() => compileTemplate('{{ define "x" }}{{ end }}')).toThrow(/not supported/);
    expect(() => compileTemplate('{{ "unterminated }}')).toThrow(/unterminated/);
  });
});
