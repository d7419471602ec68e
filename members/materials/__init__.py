"""Materials of the development procedure: the catalogue of documents each step needs,
the uploaded files, the checklists and completeness figures built from them, and the
standard forms generated from a dossier's data.

- catalogue.py  the catalogue as data: seeding, copying to a new rule-set version, editing
- files.py      what an uploaded file must be (type, size, not an executable)
- services.py   upload, delete, the step's materials check, completeness counters
- checklist.py  each step's checklist and the completeness figures (read side)
- documents.py  filled standard forms (DOCX from templates in document_templates/, XLSX)
"""
