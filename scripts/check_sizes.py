#!/usr/bin/env python3
"""Fails when a Swift file under Sources/ has more than 400 lines or a function more than 80.

A function is a `func`, `init`, `deinit` or `subscript` body, or a closure stored in a `let`/`var` (the C
callbacks): from the line of its declaration to the line of its closing brace. String literals and comments are
blanked before braces are matched, so braces inside them do not count.

    scripts/check_sizes.py [--list N]   --list prints the N longest functions and files too
"""
import pathlib
import re
import sys

MAX_FILE = 400
MAX_FUNCTION = 80
DECL = re.compile(r'^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|fileprivate|internal|package|static|class|'
                  r'final|override|mutating|nonmutating|nonisolated|convenience|required|dynamic|@inlinable|'
                  r'@usableFromInline|@inline\(__always\)|@discardableResult)\s+)*'
                  r'(func\s+[^\s(<]+|init[?!]?\s*[(<]|deinit\b|subscript\s*[(<]|(?:let|var)\s+\w+[^={]*=\s*\{)')


def blank(text):
    """The source with string literals and comments replaced by spaces (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif text.startswith('"""', i) or text.startswith('#"""', i):
            hashes = 1 if text[i] == '#' else 0
            close = '"""' + '#' * hashes
            j = text.find(close, i + 3 + hashes)
            j = n if j < 0 else j + len(close)
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif text[i] == '"' or text.startswith('#"', i):
            hashes = 0
            while text[i + hashes] == '#':
                hashes += 1
            close = '"' + '#' * hashes
            j = i + hashes + 1
            depth = 0
            while j < n:
                if hashes == 0 and text[j] == '\\':
                    if text.startswith('\\(', j):
                        depth += 1
                        j += 2
                        continue
                    j += 2
                    continue
                if depth and text[j] == '(':
                    depth += 1
                elif depth and text[j] == ')':
                    depth -= 1
                elif not depth and text.startswith(close, j):
                    j += len(close)
                    break
                elif text[j] == '\n':
                    break
                j += 1
            out.append(' ' * (j - i))
            i = j
        else:
            out.append(text[i])
            i += 1
    return ''.join(out)


def functions(path):
    code = blank(path.read_text())
    lines = code.split('\n')
    found = []
    for start, line in enumerate(lines):
        m = DECL.match(line)
        if not m:
            continue
        # The body opens at the first `{` from the declaration on (a protocol requirement has none before the
        # next declaration: skip it).
        depth, opened, end = 0, False, None
        for k in range(start, len(lines)):
            if k > start and not opened and DECL.match(lines[k]):
                break
            for ch in lines[k]:
                if ch == '{':
                    depth += 1
                    opened = True
                elif ch == '}':
                    depth -= 1
                    if opened and depth == 0:
                        end = k
                        break
            if end is not None:
                break
        if end is not None:
            name = m.group(1).split('(')[0].split('=')[0].strip()
            found.append((end - start + 1, f'{path}:{start + 1} {name}'))
    return found


def main():
    listing = int(sys.argv[sys.argv.index('--list') + 1]) if '--list' in sys.argv else 0
    root = pathlib.Path(__file__).resolve().parent.parent
    files = sorted((root / 'Sources').rglob('*.swift'))
    problems = []
    all_functions, all_files = [], []
    for f in files:
        rel = f.relative_to(root)
        count = f.read_text().count('\n')
        all_files.append((count, str(rel)))
        if count > MAX_FILE:
            problems.append(f'{rel}: {count} lines (most {MAX_FILE})')
        for length, where in functions(f):
            where = where.replace(str(f), str(rel))
            all_functions.append((length, where))
            if length > MAX_FUNCTION:
                problems.append(f'{where}: {length} lines (most {MAX_FUNCTION})')
    if listing:
        print('longest files:')
        for count, name in sorted(all_files, reverse=True)[:listing]:
            print(f'  {count:4d} {name}')
        print('longest functions:')
        for length, where in sorted(all_functions, reverse=True)[:listing]:
            print(f'  {length:4d} {where}')
    if problems:
        print('\n'.join(problems), file=sys.stderr)
        sys.exit(1)
    print(f'sizes: {len(files)} files ≤ {MAX_FILE} lines, {len(all_functions)} functions ≤ {MAX_FUNCTION} lines')


if __name__ == '__main__':
    main()
