/* test_jinja_lang: small cases for the Jinja language as transformers configures it —
 * whitespace control, loop variables, scoping, filters, tests, Python printing, undefined
 * semantics — plus what we must refuse (unsupported constructs and parse errors, with their
 * template position) and the limits that stop hostile templates. The expected strings were
 * written by hand and cross-checked against jinja2 3.1 during development. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "jinja/jinja.h"

static int fails, total;

/* want_err: NULL means the render must succeed with `want`; otherwise the error must start
 * with want_err (the message after any position is checked by `want` when not NULL). */
static void check(const char *src, const char *vars, const char *want, const char *want_err)
{
	char err[1024] = "";
	char *out = NULL;
	size_t outlen = 0;
	total++;
	jinja_t *t = jinja_compile(src, "t", err, sizeof err);
	int rc = -1;
	if (t) {
		cJSON *v = cJSON_Parse(vars ? vars : "{}");
		rc = jinja_render(t, v, &out, &outlen, NULL, NULL, err, sizeof err);
		cJSON_Delete(v);
	}
	if (!want_err) {
		if (rc || strcmp(out, want) || strlen(out) != outlen) {
			printf("FAIL %s\n  got:  %s\n  want: %s\n", src, rc ? err : out, want);
			fails++;
		}
	} else if (!rc) {
		printf("FAIL %s\n  rendered \"%s\", expected an error \"%s\"\n", src, out, want_err);
		fails++;
	} else if (strncmp(err, want_err, strlen(want_err)) || (want && !strstr(err, want))) {
		printf("FAIL %s\n  error: %s\n  want:  %s ... %s\n", src, err, want_err, want ? want : "");
		fails++;
	}
	free(out);
	jinja_free(t);
}

#define OK(src, want) check(src, NULL, want, NULL)
#define OKV(src, vars, want) check(src, vars, want, NULL)
#define ERR(src, prefix, part) check(src, NULL, part, prefix)
#define ERRV(src, vars, prefix, part) check(src, vars, part, prefix)

static void whitespace(void)
{
	OK("  {% if true %}x{% endif %}", "x");                       /* lstrip_blocks at start */
	OK("a\n  {% if true %}\n  b\n  {% endif %}\nc", "a\n  b\nc");   /* trim_blocks */
	OK("a  {%+ if true %}b{% endif +%}\nc", "a  b\nc");
	OK("x {#- c -#} y {# d #}\nz", "xy z");
	OK("  {# comment #}\nline", "line");
	OK("{{- ' a ' -}}   {{ 'b' }}  \n {%- if true -%}  c  {%- endif -%}  d", " a bcd");
	OK("\t{% if true %}\n\ttabbed\n\t{% endif %}\n", "\ttabbed\n");
	OK("text {{ 1 }} {% if true %}\nyes\n{% endif %}\nend\n", "text 1 yes\nend");   /* one trailing \n dropped */
	OK("a\n\n", "a\n");
	OK("a\r\nb", "a\nb");
	OK("{{ 1 }}  {% if true %}x{% endif %}", "1  x");   /* not at a line start: kept */
	OK("{% raw %}{{ not parsed }}{% endraw %}|", "{{ not parsed }}|");
	OK("{{ '{{' }} {{ '}}' }} {{ {'a': {'b': 1}} }}", "{{ }} {'a': {'b': 1}}");
}

static void loops(void)
{
	OK("{% for a, b in [(1, 2), (3, 4)] %}{{ a }}-{{ b }}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}"
	   "{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{{ loop.revindex0 }},{% endfor %}",
	   "1-210TrueFalse221,3-421FalseTrue210,");
	OK("{% for x in [1,2,3,4,5] if x is odd %}{{ x }}{{ loop.length }}{% else %}none{% endfor %}", "133353");   /* length counts the filtered items */
	OK("{% for x in [] %}{{ x }}{% else %}empty{% endfor %}", "empty");
	OK("{% for x in [1,2,3] %}{% if x == 2 %}{% continue %}{% endif %}{{ x }}{% endfor %}|"
	   "{% for x in [1,2,3] %}{% if x == 2 %}{% break %}{% endif %}{{ x }}{% endfor %}", "13|1");
	OK("{% for x in [1,2,3] %}{{ loop.previtem }}/{{ loop.nextitem }} {% endfor %}", "/2 1/3 2/ ");
	OK("{% for x in [1,2,3] %}{{ loop.cycle('a', 'b') }}{% endfor %}", "aba");
	OK("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}{% for k in {'c': 1} %}{{ k }}{% endfor %}",
	   "a=1;b=2;c");
	OK("{% for x in 'ab' %}{{ x }}{% endfor %}{% for x in undefined_thing %}no{% endfor %}", "ab");
	ERR("{% for x in 3 %}{% endfor %}", "TypeError: 'int' object is not iterable", NULL);
	ERR("{% for a, b in [1] %}{% endfor %}", "TypeError: cannot unpack non-iterable int object", NULL);
	ERR("{% for a, b in [[1, 2, 3]] %}{% endfor %}", "ValueError: too many values to unpack (expected 2)", NULL);
	/* scoping: a loop body's sets do not leak and do not carry over between iterations */
	OKV("{% for i in [1,2] %}[{{ x }}]{% set x = i %}[{{ x }}]{% endfor %}{{ x }}", "{\"x\": 0}", "[0][1][0][2]0");
	OK("{% set x = 5 %}{% if true %}{% set x = 6 %}{% endif %}{{ x }}", "6");
	OK("{% set ns = namespace(found=false) %}{% for x in [1,2,3] %}{% if x == 2 %}{% set ns.found = true %}"
	   "{% endif %}{% endfor %}{{ ns.found }}", "True");
}

static void values(void)
{
	OK("{{ (1,'a') }} {{ {'a':[1.5,None,True]} }} {{ 1e16 }} {{ 1e-5 }} {{ 0.1+0.2 }} {{ 1.0 }} {{ 100.0 }}",
	   "(1, 'a') {'a': [1.5, None, True]} 1e+16 1e-05 0.30000000000000004 1.0 100.0");
	OK("{{ 'it\\'s' }} {{ ['it\\'s', '\\xa0\\u200b\\x01'] }} {{ ['a\"b\\'c'] }} {{ [\"tab\\there\\n\\\\\"] }}",
	   "it's [\"it's\", '\\xa0\\u200b\\x01'] ['a\"b\\'c'] ['tab\\there\\n\\\\']");
	OK("{{ (1,) }} {{ () }} {{ true }} {{ none }} {{ [none, false] }}", "(1,) () True None [None, False]");
	OK("{{ 1/3 }} {{ 123456789.123 }} {{ -0.0 }} {{ 1e-4 }} {{ 0.0001234 }}",
	   "0.3333333333333333 123456789.123 -0.0 0.0001 0.0001234");
	OKV("{{ x|tojson }}|{{ x|tojson(indent=2) }}", "{\"x\": {\"a\": [1, {}], \"b\": [], \"c\": \"\xc3\xbc\\\"\\n\"}}",
	    "{\"a\": [1, {}], \"b\": [], \"c\": \"\xc3\xbc\\\"\\n\"}|{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": [],\n  \"c\": \"\xc3\xbc\\\"\\n\"\n}");
	OK("{{ {'b': 1, 'a': [true, none, 1.5]}|tojson(sort_keys=true) }} {{ [1, 2]|tojson(separators=(',', ':')) }}",
	   "{\"a\": [true, null, 1.5], \"b\": 1} [1,2]");
	OK("{{ '\\u00e9\\x41\\101\\n' }}", "\xc3\xa9" "AA\n");
	OK("{{ \"a\" \"b\" }} {{ 1_000 }} {{ 0x10 }}", "ab 1000 16");
	OK("{{ dict(a=1, b=2) }} {{ namespace(x=1) }}", "{'a': 1, 'b': 2} <Namespace {'x': 1}>");
}

static void operators(void)
{
	OK("{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 6 / 2 }} {{ 2 ** 10 }} {{ 2 ** -1 }}"
	   " {{ 7.5 // 2 }} {{ -7.5 % 2 }} {{ 1 + 2.0 }} {{ 'ab' * 3 }} {{ [1] * 3 }} {{ 'a' ~ 1 ~ none ~ x }}",
	   "3 -4 1 2 3.5 3.0 1024 0.5 3.0 0.5 3.0 ababab [1, 1, 1] a1None");
	OK("{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ [1,2] < [1,3] }} {{ 1 == 1.0 }} {{ 1 == true }} {{ 'a' in 'abc' }}"
	   " {{ 1 in [1,2] }} {{ 'a' in {'a':1} }} {{ 3 not in [1,2] }} {{ x in [1] }}",
	   "True False True True True True True True True False");
	/* jinja2 differs from Python: ** is left-associative, unary minus binds tighter, ~ binds
	 * tighter than + */
	OK("{{ [1,2,3] | length > 2 }} {{ -1 | abs }} {{ not true == false }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} {{ (1 ~ 2) + '3' }} {{ 'a' ~ 1 * 2 }}",
	   "True 1 True 64 4 123 a2");
	ERR("{{ 1 + 2 ~ 3 }}", "TypeError: unsupported operand type(s) for +: 'int' and 'str'", NULL);
	OK("{{ 1 if true else 2 }} [{{ 'yes' if 0 }}] {{ 1 and 2 }} {{ 0 and 2 }} {{ 0 or 'x' }} {{ none or [] }}",
	   "1 [] 2 0 x []");
	OK("{{ '%s has %d items (%.2f)' % ('x', 3, 1.5) }}", "x has 3 items (1.50)");
	ERR("{{ 1 + 'a' }}", "TypeError: unsupported operand type(s) for +: 'int' and 'str'", NULL);
	ERR("{{ 'a' < 1 }}", "TypeError: '<' not supported between instances of 'str' and 'int'", NULL);
	ERR("{{ 5 // 0 }}", "ZeroDivisionError: integer division or modulo by zero", NULL);
	ERR("{{ 5 is divisibleby 0 }}", "ZeroDivisionError: integer modulo by zero", NULL);
	ERRV("{{ 'a' + x }}", "{\"x\": {}}", "TypeError: can only concatenate str (not \"dict\") to str", NULL);
}

static void tests_and_undefined(void)
{
	OK("{{ not 1 is defined }} {{ x is not defined }} {{ none is none }} {{ true is number }} {{ true is integer }}"
	   " {{ 'a' is string }} {{ {} is mapping }} {{ [] is sequence }} {{ 3 is divisibleby 3 }} {{ 2 is even }}"
	   " {{ 'a' is eq 'a' }} {{ 1 is true }} {{ undefined_var is iterable }}",
	   "False True True True False True True True True True True False True");
	OKV("{{ x.y }}|{{ x['y'] is defined }}|{{ x.items is defined }}", "{\"x\": {}}", "|False|True");
	OKV("{{ x[5] }}{{ x.y }}|", "{\"x\": []}", "|");
	OKV("{{ x.content.content is defined }}", "{\"x\": {\"content\": \"s\"}}", "False");
	ERR("{{ u.a }}", "UndefinedError: 'u' is undefined", NULL);
	ERR("{{ u + 1 }}", "UndefinedError: 'u' is undefined", NULL);
	ERRV("{{ x.y.z }}", "{\"x\": {}}", "UndefinedError: 'dict object' has no attribute 'y'", NULL);
	ERRV("{{ x[2] + 1 }}", "{\"x\": [1, 2]}", "UndefinedError: list object has no element 2", NULL);
	ERRV("{{ x.y.z }}", "{\"x\": null}", "UndefinedError: 'None' has no attribute 'y'", NULL);
	ERR("{{ undefined_fn() }}", "UndefinedError: 'undefined_fn' is undefined", NULL);
	ERR("{% set l = [1] %}{{ l.append(2) }}", "SecurityError: access to attribute 'append' of 'list' object is unsafe.", NULL);
	ERR("{% set x = none %}{% set x.y = 1 %}", "TemplateRuntimeError: cannot assign attribute on non-namespace object", NULL);
	ERR("{{ raise_exception('boom ' ~ 1) }}", "boom 1", NULL);
}

static void filters_methods(void)
{
	OK("{{ 'hello wORLD-x(y' | title }} {{ 'hello wORLD-x(y'.title() }} {{ 'ab cD'.capitalize() }}",
	   "Hello World-X(Y Hello World-X(Y Ab cd");
	OK("{{ 'a,b,,c'.split(',') }} {{ '  a  b '.split() }} {{ 'a b c'.split(' ', 1) }} {{ 'a b c'.rsplit(' ', 1) }}"
	   " {{ 'xxhixx'.strip('x') }} {{ ' hi '.lstrip() }}|{{ ' hi '.rstrip() }}|",
	   "['a', 'b', '', 'c'] ['a', 'b'] ['a', 'b c'] ['a b', 'c'] hi hi | hi|");
	OK("{{ 'hello'.startswith('he') }}{{ 'hello'.endswith(('lo', 'x')) }}{{ 'hello'.upper() }}{{ 'HeLLo'.lower() }}"
	   "{{ 'hello'.replace('l', 'L') }}{{ 'hello'.find('l') }}{{ 'hello'.count('l') }}",
	   "TrueTrueHELLOhelloheLLo22");
	OK("{{ {'a': 1}.items() }} {{ {'a': 1}.keys() }} {{ {'a': 1}.get('b', 3) }} {{ {'a': 1}.get('b') }}",
	   "dict_items([('a', 1)]) dict_keys(['a']) 3 None");
	OK("{{ [3,1,2]|sort }} {{ [3,1,2]|sort(reverse=true) }} {{ ['b','A','c']|sort }} {{ [1,2,2,3]|unique|list }}"
	   " {{ [1,2,3]|sum }} {{ [1,2,3]|min }} {{ [1,2,3]|max }} {{ [1,2,3]|reverse|list }} {{ 'abc'|reverse }}",
	   "[1, 2, 3] [3, 2, 1] ['A', 'b', 'c'] [1, 2, 3] 6 1 3 [3, 2, 1] cba");
	OK("{{ [1,2,3]|first }} {{ [1,2,3]|last }} {{ []|first }}| {{ 'h\xc3\xa9llo'|length }} {{ 'h\xc3\xa9llo'[1] }}"
	   " {{ 'h\xc3\xa9llo'[1:3] }} {{ 'h\xc3\xa9llo'[::-1] }} {{ [1,2,3][::-1] }} {{ [1,2,3,4,5][4:0:-2] }}",
	   "1 3 | 5 \xc3\xa9 \xc3\xa9l oll\xc3\xa9h [3, 2, 1] [5, 3]");
	OK("{{ x|default('d') }} {{ none|default('d') }} {{ none|default('d', true) }} {{ ''|d('e', true) }}",
	   "d None d e");
	OK("{{ '3'|int }} {{ '3.7'|int }} {{ 'x'|int }} {{ 'x'|int(7) }} {{ 3.9|int }} {{ '3.5'|float }} {{ 3|float }}",
	   "3 3 0 7 3 3.5 3.0");
	OK("{{ [{'a':1,'b':'x'},{'a':2,'b':'y'}]|map(attribute='a')|list }} {{ ['a','b']|map('upper')|list }}"
	   " {{ [{'a':1},{'a':2}]|selectattr('a','equalto',2)|list }} {{ [1,2,3,4]|reject('odd')|list }}"
	   " {{ [0,1,'',2]|select|list }}",
	   "[1, 2] ['A', 'B'] [{'a': 2}] [2, 4] [1, 2]");
	OK("{{ {'b':1,'a':2}|dictsort }} {{ {'b':1,'a':2}|dictsort(by='value') }} {{ {'b':1}|items|list }}",
	   "[('a', 2), ('b', 1)] [('b', 1), ('a', 2)] [('b', 1)]");
	OK("{{ 'a\\nb\\n\\nc'|indent }}|{{ 'a\\nb'|indent(2, true) }}|{{ 'a\\n\\nb'|indent(2, blank=true) }}",
	   "a\n    b\n\n    c|  a\n  b|a\n  \n  b");
	OK("{{ '<a href=\"x\">&\\'</a>'|e }} {{ ' a '|trim }}|{{ 'xxaxx'|trim('x') }}|{{ [1,2]|join('-') }}",
	   "&lt;a href=&#34;x&#34;&gt;&amp;&#39;&lt;/a&gt; a|a|1-2");
	OK("{{ 2.5|round }} {{ 3.5|round }} {{ 2.675|round(2) }} {{ 3|round }} {{ 2.1|round(0, 'ceil') }}",
	   "2.0 4.0 2.67 3 3.0");
	OK("{{ 'hello world foo'|wordcount }} {{ 'hello world foo bar baz qux'|truncate(10) }}", "3 hello...");
	OK("{{ strftime_now('%d %b %Y') }}", "26 Jul 2024");
	OK("{{ range(3)|list }} {{ range(5, 0, -2)|list }}", "[0, 1, 2] [5, 3, 1]");
}

/* map/select/items/... are generators in jinja2: single pass, no len(), not JSON, always
 * true, and their errors wait until they are iterated */
static void generators(void)
{
	OK("{% set g = [1, 2, 3]|select('odd') %}{{ g|list }}{{ g|list }}", "[1, 3][]");
	OK("{% set g = [1, 2, 3]|map('string') %}{{ g|first }}{{ g|join }}", "123");
	OK("{{ 1 in [1, 2]|select }} {{ []|select and 'yes' }} {{ none|selectattr('a')|list }}", "True yes []");
	OK("{{ 'x' if 5|select else 'y' }}", "x");   /* not iterated, so no error */
	ERR("{{ 5|select|list }}", "TypeError: 'int' object is not iterable", NULL);
	OK("{{ [1]|map('upper')|list }}", "['1']");   /* filters stringify what they get */
	ERR("{{ [1, 2]|select|length }}", "TypeError: object of type 'generator' has no len()", NULL);
	ERR("{{ [{'a': 1}]|map(attribute='a')|tojson }}", "TypeError: Object of type generator is not JSON serializable", NULL);
	ERR("{{ {'a': 1}.items()|tojson }}", "TypeError: Object of type dict_items is not JSON serializable", NULL);
	OK("{{ 1|items is defined }}", "True");
	ERR("{{ 1|items|list }}", "TypeError: Can only get item pairs from a mapping.", NULL);
	OK("{{ [1, 2, 3]|reverse|list }} {{ [1, 2, 3, 4, 5]|batch(2, 0)|list }}", "[3, 2, 1] [[1, 2], [3, 4], [5, 0]]");
	ERR("{{ [1]|select }}", "NotSupported: ", "printing a generator");
}

static void python_corners(void)
{
	/* operands are evaluated left to right: the left error is the one reported */
	ERR("{{ (1 < 'a') + undefined_x }}", "TypeError: '<' not supported between instances of 'int' and 'str'", NULL);
	OK("{{ 'x' % undefined_x }} {{ 'x' % [1] }} {{ '%s-%d' % ('a', 2) }}", "x x a-2");
	ERR("{{ 'x' % 1 }}", "TypeError: not all arguments converted during string formatting", NULL);
	ERR("{{ [] in {} }}", "TypeError: unhashable type: 'list'", NULL);
	ERR("{{ u|int }}", "UndefinedError: 'u' is undefined", NULL);
	ERR("{{ u|abs }}", "TypeError: bad operand type for abs(): 'Undefined'", NULL);
	ERR("{{ 1 is true 2 }}", "TypeError: test_true() takes 1 positional argument but 2 were given", NULL);
	OK("{{ 'ΣΑΣ'.islower() }} {{ 'éa'.islower() }} {{ 'ÉCOLE'.lower() }} {{ u is callable }}", "False True école True");
	ERR("{{ 'ΣΑΣ'.lower() }}", "NotSupported: ", "capital sigma");
	OK("{{ '\xc3\xa9\xff'.islower() }}", "True");   /* fuzz: invalid UTF-8 reached uni_lowercase */
	ERR("{{ '\xc3\x89\xff'.lower() }}", "NotSupported: ", "not valid UTF-8");
	OK("{{ (' \xa8\xa8'|trim).startswith('\xa8') }}", "True");   /* fuzz: right-strip walked back past left-strip */
}

static void macros(void)
{
	OK("{% macro f(a, b=2) %}[{{ a }}{{ b }}]{% endmacro %}{{ f(1) }}{{ f(1, 3) }}{{ f(b=5, a=0) }}", "[12][13][05]");
	OK("{% set x %}  block {{ 1 }}  {% endset %}[{{ x }}]{% set y | trim %}  yy  {% endset %}[{{ y }}]",
	   "[  block 1  ][yy]");
	OK("{% filter upper %}hello {{ 'x' }}{% endfilter %}", "HELLO X");
	OKV("{% with a = 1, b = a %}{{ a }}{{ b }}{% set c = 3 %}{% endwith %}[{{ a }}{{ c }}]", "{\"a\": 5}", "15[5]");
	OK("{% for x in [1, 1, 2, 3, 3] %}{% if loop.changed(x) %}{{ x }}{% endif %}{% endfor %}", "123");
	OK("{{ '%s - %s'|format('Hello?', 'Foo!') }}", "Hello? - Foo!");
	OK("{% macro m() %}<{{ caller() }}>{% endmacro %}{% call m() %}inner{% endcall %}", "<inner>");
	OK("{% macro m() %}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, a=3) }}", "(1, 2){'a': 3}");
	OK("{% set g = 'G' %}{% macro f() %}{{ g }}{% endmacro %}{% set g = 'H' %}{{ f() }}", "H");
}

/* jinja_render_json reads numbers as json.loads does; cJSON cannot tell 1.0 from 1 */
static void json_text(const char *vars, const char *src, const char *want, const char *want_err)
{
	char err[512] = "";
	char *out = NULL;
	size_t n = 0;
	total++;
	jinja_t *t = jinja_compile(src, "t", err, sizeof err);
	int rc = t ? jinja_render_json(t, vars, strlen(vars), &out, &n, NULL, NULL, err, sizeof err) : -1;
	if (want ? (rc || strcmp(out, want)) : (!rc || strncmp(err, want_err, strlen(want_err)))) {
		printf("FAIL json %s with %s\n  got:  %s\n  want: %s\n", src, vars, rc ? err : out,
		       want ? want : want_err);
		fails++;
	}
	free(out);
	jinja_free(t);
}

static void json_input(void)
{
	json_text("{\"a\": 1.0, \"b\": 1, \"c\": 1e2, \"d\": 9007199254740993, \"e\": -0.0}",
		  "{{ a }} {{ b }} {{ c }} {{ d }} {{ e }} {{ [a, b, c]|tojson }}",
		  "1.0 1 100.0 9007199254740993 -0.0 [1.0, 1, 100.0]", NULL);
	json_text("{\"s\": \"\\u00e9\\ud83e\\udd99\\n\\\"\", \"k\": {\"z\": 1, \"a\": 2, \"z\": 3}}",
		  "{{ s|tojson }} {{ k }}", "\"\xc3\xa9\xf0\x9f\xa6\x99\\n\\\"\" {'z': 3, 'a': 2}", NULL);
	json_text("{\"x\": NaN, \"y\": -Infinity}", "{{ x }} {{ y|tojson }}", "nan -Infinity", NULL);
	json_text("{\"a\": [1, 2,]}", "", NULL, "JSONDecodeError: Expecting value");
	json_text("[1]", "", NULL, "TypeError: template variables must be a JSON object");
	json_text("{\"a\": 123456789012345678901234}", "", NULL, "NotSupported: integer");
}

static void generation(void)
{
	const char *src = "{% for m in messages %}<{{ m.role }}>{% if m.role == 'assistant' %}"
			  "{% generation %}{{ m.content }}{% endgeneration %}{% else %}{{ m.content }}{% endif %}\n"
			  "{% endfor %}";
	char err[256];
	jinja_t *t = jinja_compile(src, "gen", err, sizeof err);
	cJSON *v = cJSON_Parse("{\"messages\": [{\"role\": \"user\", \"content\": \"h\xc3\xa9\"},"
			       "{\"role\": \"assistant\", \"content\": \"\xc3\xa9t\xc3\xa9\"}]}");
	char *out = NULL;
	size_t n = 0, ns = 0;
	jinja_span_t *sp = NULL;
	total++;
	/* "<user>hé<assistant>été" (trim_blocks eats the newline after endif): the block starts at
	 * char 19 (byte 20) and holds 3 chars / 5 bytes */
	if (!t || jinja_render(t, v, &out, &n, &sp, &ns, err, sizeof err) || ns != 1 || sp[0].start != 20 ||
	    sp[0].end != 25 || sp[0].cstart != 19 || sp[0].cend != 22) {
		printf("FAIL generation spans: %zu spans, first [%zu,%zu) chars [%zu,%zu)\n", ns,
		       ns ? sp[0].start : 0, ns ? sp[0].end : 0, ns ? sp[0].cstart : 0, ns ? sp[0].cend : 0);
		fails++;
	}
	free(out);
	free(sp);
	cJSON_Delete(v);
	jinja_free(t);
}

static void refusals(void)
{
	/* unsupported constructs: refused by name, with the template position */
	ERR("a\n{% include 'x.jinja' %}", "NotSupported: t:2:4: tag 'include' is not supported", NULL);
	ERR("{% extends 'base' %}", "NotSupported: t:1:4: tag 'extends' is not supported", NULL);
	ERR("{{ x|groupby('a') }}", "NotSupported: t:1:", "filter 'groupby' is not supported");
	OK("{% if false %}{{ x|groupby('a') }}{% endif %}ok", "ok");   /* refused only when it runs */
	ERR("{% for x in y recursive %}{% endfor %}", "NotSupported: t:1:15: recursive for loops", NULL);
	ERR("{{ 'a {}'.format(1) }}", "NotSupported: t:1:", "str method 'format' is not supported");
	ERR("{{ 'x' is filter }}", "NotSupported: t:1:", "test 'filter' is not supported");
	ERR("{{ 'ÉCOLE'.upper() }}", "NotSupported: t:1:", "upper of non-ASCII letters");
	ERR("{{ range }}", "NotSupported: ", "printing builtin_function_or_method 'range'");
	/* jinja2's own compile errors, with our position */
	ERR("{{ x|nosuchfilter }}", "TemplateAssertionError: t:1:6: No filter named 'nosuchfilter'.", NULL);
	ERR("{{ x is nosuchtest }}", "TemplateAssertionError: t:1:6: No test named 'nosuchtest'.", NULL);
	/* ... except in an if or a conditional expression, where jinja2 fails only if it runs */
	OK("{% if false %}{{ x|from_json }}{% endif %}{{ 1 if true else x|from_json }}", "1");
	ERR("{% if true %}{{ x|from_json }}{% endif %}", "TemplateRuntimeError: No filter named 'from_json' found.", NULL);
	ERR("{% if false %}{% for y in z %}{{ y|from_json }}{% endfor %}{% endif %}",
	    "TemplateAssertionError: t:1:36: No filter named 'from_json'.", NULL);
	ERR("{% if x %}", "TemplateSyntaxError: t:1:11: Unexpected end of template", "'endif'");
	ERR("line1\n{{ 1 + }}", "TemplateSyntaxError: t:2:8: unexpected end of print statement", NULL);
	ERR("{% endfor %}", "TemplateSyntaxError: t:1:4: Encountered unknown tag 'endfor'.", NULL);
	ERR("{% frobnicate %}", "TemplateSyntaxError: t:1:4: Encountered unknown tag 'frobnicate'.", NULL);
	ERR("{% do x %}", "TemplateSyntaxError: t:1:4: Encountered unknown tag 'do'.", NULL);   /* not enabled by transformers */
	ERR("{{ 'abc }}", "TemplateSyntaxError: t:1:4: unexpected end of string literal", NULL);
	ERR("{{ (1 }}", "TemplateSyntaxError: t:1:7: unexpected '}', expected ')'", NULL);
	ERR("{# open", "TemplateSyntaxError: t:1:1: missing end of comment tag", NULL);
	ERR("{{ 'abc'[:,:-3] }}", "NotSupported: t:1:9: a slice inside a tuple subscript", NULL);   /* fuzz crash */
}

static void limits(void)
{
	jinja_set_limits(1 << 20, 200000);
	ERR("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "LimitError: ", "steps");
	ERR("{% for i in range(100000) %}{{ 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' }}{% endfor %}", "LimitError: ", "output exceeds");
	ERR("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "LimitError: ", "nested deeper");
	ERR("{{ range(1000000)|list }}", "OverflowError: Range too big.", NULL);
	/* work inside one builtin counts too */
	ERR("{{ 'x' * 100000000 }}", "LimitError: ", "repetition");
	ERR("{{ 'x'|center(100000000) }}", "LimitError: ", "width");
	ERR("{% set s = 'ab' * 200000 %}{% for i in range(100000) %}{{ s[i] }}{% endfor %}", "LimitError: ", "steps");
	ERR("{% set s = 'a' * 500000 %}{% for i in range(100000) %}{% if s.rfind('ab') %}{% endif %}{% endfor %}",
	    "LimitError: ", "steps");
	jinja_set_limits(0, 0);
	/* parse depth: a deeply bracketed expression is refused, not a stack overflow */
	char *deep = malloc(20000);
	strcpy(deep, "{{ ");
	for (int i = 0; i < 5000; i++)
		strcat(deep, "(");
	ERR(deep, "LimitError: ", "nested too deeply");
	strcpy(deep, "{{ ");
	for (int i = 0; i < 3000; i++)
		strcat(deep, "not ");
	strcat(deep, "1 }}");
	ERR(deep, "LimitError: ", "nested too deeply");
	free(deep);
}

int main(void)
{
	struct tm pin = { .tm_year = 2024 - 1900, .tm_mon = 6, .tm_mday = 26, .tm_hour = 12 };
	jinja_pin_clock(&pin);
	whitespace();
	loops();
	values();
	operators();
	tests_and_undefined();
	filters_methods();
	generators();
	python_corners();
	json_input();
	macros();
	generation();
	refusals();
	limits();
	printf("jinja language cases: %d of %d pass\n", total - fails, total);
	return fails ? 1 : 0;
}
