"""Korean roadmap content: the catalogue's titles, reasons, steps and checks in Korean for a Korean review.

The rules engine writes every item from a pattern's English template (``patterns.yaml``). Its Korean lives in
``patterns_ko.yaml``, written by people and kept beside the English (`catalogue`). `localize.localize` swaps a
text only when it is exactly the English template filled in (`templates`; the fill-ins read back from the text
itself and each one known in Korean: `values`, `words`), or one of the engine's own sentences (`sentences`);
anything the engine composed otherwise stays as written, so a swap is never a wrong translation.
"""
