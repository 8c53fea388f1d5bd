#!/usr/bin/python3
"""Dumps the character classes the tokenizer must share with Python 3.11
(Debian 12's /usr/bin/python3, Unicode 14.0) to python311_unicode.txt.gz:

  w A B      code points A..B (hex) that re's (?u)\w matches
  i A B      case-ignorable code points, as str.lower's final-sigma rule sees them
  c A B      cased, not case-ignorable code points, as that rule sees them
  l A X Y..  str.lower(chr(A)) == X Y .. when it differs from chr(A)

The two case classes are probed through str.lower itself: for a code point C,
("ΑΣ"+C+"Α").lower(), (C+"Σ").lower() and ("ΑΣ"+C).lower() tell them apart.
Run: /usr/bin/python3 python_unicode.py
"""
import gzip, re, sys

w = re.compile(r'\w')
def ranges(pred):
    out, start = [], None
    for cp in range(0x110001):
        ok = cp < 0x110000 and not (0xD800 <= cp < 0xE000) and pred(chr(cp))
        if ok and start is None: start = cp
        if not ok and start is not None: out.append((start, cp - 1)); start = None
    return out

def case_class(c):
    k = (('ΑΣ' + c + 'Α').lower()[1], (c + 'Σ').lower()[-1], ('ΑΣ' + c).lower()[1])
    return {('σ', 'σ', 'ς'): 'i', ('σ', 'ς', 'σ'): 'c', ('ς', 'σ', 'ς'): '-'}[k]

with gzip.open('python311_unicode.txt.gz', 'wt') as f:
    f.write('# Python %s, Unicode %s\n' % (sys.version.split()[0], __import__('unicodedata').unidata_version))
    for a, b in ranges(lambda c: w.match(c) is not None): f.write('w %x %x\n' % (a, b))
    for a, b in ranges(lambda c: case_class(c) == 'i'): f.write('i %x %x\n' % (a, b))
    for a, b in ranges(lambda c: case_class(c) == 'c'): f.write('c %x %x\n' % (a, b))
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000: continue
        l = chr(cp).lower()
        if l != chr(cp): f.write('l %x %s\n' % (cp, ' '.join('%x' % ord(x) for x in l)))
