"""Drafts of each planning step's documents, from the process's own data.

The plan (kế hoạch), the lists (danh sách trích ngang), the consultation letter,
the submission (tờ trình) and the approval decision (quyết định), written as the
minutes' neutral blocks and rendered by the same DOCX and PDF renderers. Their
wording is data (``wording/*.toml``), validated at start-up. No Flask import.
"""
