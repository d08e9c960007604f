"""Import of the catalogue from an official 办事指南 export (CSV or XLSX).

``table`` reads the file, ``text`` turns the export's free text into the catalogue's
values, ``mapping`` maps one row to a service, ``importer`` checks the whole file and
loads it through bot/catalogue/loader.py. The mapping is documented in
data/catalogue/SCHEMA.md ("从官方办事指南导出导入").
"""
