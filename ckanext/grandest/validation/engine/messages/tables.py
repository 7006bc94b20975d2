"""The texts of the engine's reports: for every error type a title, what it means and how to fix it; the
fetch errors, the expected value of each Table Schema type, status labels and partial-run reasons.

Tables of ``N_()``-marked English msgids, translated where they are shown (:mod:`..messages` renders them).
This module is long because it is the engine's message catalogue (one table entry per error type), not logic.
"""
from __future__ import annotations

from ckanext.grandest.common.i18n import N_

# Severity: "error" counts against conformity; "warning" is advice; "info" is a neutral finding.

# --------------------------------------------------------------------------------------------------------
# Fetch errors
# --------------------------------------------------------------------------------------------------------

FETCH_ERRORS: dict[str, str] = {
    "invalid-url": N_("The address of the file is not a valid web address."),
    "scheme-not-allowed": N_(
        'Only addresses starting with http:// or https:// can be checked (address received: "{scheme}").'
    ),
    "credentials-in-url": N_(
        "The address holds a user name or a password: publish a public link, without a password."
    ),
    "dns-error": N_('The server "{host}" cannot be found: check the spelling of the address.'),
    "dns-timeout": N_('The server "{host}" does not answer (timeout while looking up its address).'),
    "forbidden-address": N_(
        'The address "{host}" points to a private or internal network: only public servers of the Internet '
        "can be queried."
    ),
    "connect-timeout": N_("The server does not answer (connection timeout)."),
    "connection-error": N_("The connection to the server failed or was cut before the end of the file."),
    "tls-error": N_("The security certificate (HTTPS) of the server is not valid."),
    "read-timeout": N_("The server stopped sending the file (read timeout)."),
    "total-timeout": N_(
        "The download took too long and was stopped: the server is too slow."
    ),
    "too-many-redirects": N_(
        "The address redirects to other addresses more than {limit} times: the link seems to go round in circles."
    ),
    "too-large": N_("The file is larger than the maximum size accepted ({limit_h})."),
    "http-error": N_("The server answered with an error (HTTP code {status}): the link may be broken."),
    "not-found": N_("The uploaded file cannot be found."),
}


# --------------------------------------------------------------------------------------------------------
# Error catalogue: title, meaning, fix
# --------------------------------------------------------------------------------------------------------

ERRORS: dict[str, dict[str, str]] = {
    # ---- pre-scan: the file cannot be validated at all --------------------------------------------------
    "empty-file": {
        "title": N_("Empty file"),
        "meaning": N_("The file holds no data."),
        "fix": N_("Open the original file, check that it does hold your data, then upload it again."),
    },
    "html-file": {
        "title": N_("Web page instead of a data file"),
        "meaning": N_(
            "The file is a web page (HTML), often an error or sign-in page saved instead of the data."
        ),
        "fix": N_(
            'Download the real data file ("Download" or "Export" button) instead of saving the web page, '
            "or correct the link so that it leads straight to the file."
        ),
    },
    "binary-file": {
        "title": N_("Unreadable file"),
        "meaning": N_(
            "The content of the file is not readable text: it is damaged or it is not a data file (image, "
            "program, compressed document…)."
        ),
        "fix": N_(
            'Save your data again from your spreadsheet as CSV ("Save as" > "CSV UTF-8"), then upload this new file.'
        ),
    },
    "pdf-file": {
        "title": N_("PDF document"),
        "meaning": N_("The file is a PDF document: its data cannot be read by a machine."),
        "fix": N_("Also publish the original data as CSV or a spreadsheet (ODS, XLSX)."),
    },
    "line-too-long": {
        "title": N_("Excessively long row"),
        "meaning": N_(
            "Row {row} is longer than {limit_h}: this is not a normal table (damaged or badly exported "
            "file). The file was not analysed, to protect the service."
        ),
        "fix": N_(
            "Open the file in your spreadsheet, check row {row}, then export it again as CSV. If a cell "
            "holds a very long text, publish this text in a separate document."
        ),
    },
    "too-many-columns": {
        "title": N_("Too many columns"),
        "meaning": N_(
            "Row {row} has more than {limit} columns: the file is damaged or the column separator is "
            "wrongly chosen. The file was not analysed, to protect the service."
        ),
        "fix": N_("Export the file again from your spreadsheet as CSV and check row {row}."),
    },
    "zip-bomb": {
        "title": N_("Suspicious archive"),
        "meaning": N_(
            "Once decompressed, the file would take up an excessive space ({size_h}): it was not opened, "
            "to protect the service."
        ),
        "fix": N_("Publish an uncompressed file, or an archive of reasonable size (less than {limit_h} decompressed)."),
    },
    "decompressed-too-large": {
        "title": N_("Decompressed file too large"),
        "meaning": N_("Once decompressed, the file is larger than the maximum size accepted ({limit_h})."),
        "fix": N_("Split the data into several smaller files (by year for example)."),
    },
    "corrupt-archive": {
        "title": N_("Damaged archive"),
        "meaning": N_("The compressed file (ZIP, XLSX, ODS or GZIP) is damaged and cannot be opened."),
        "fix": N_("Save the file again from the original software, then upload it again."),
    },
    "archive-no-table": {
        "title": N_("Archive without a table"),
        "meaning": N_("The ZIP archive holds no tabular data file (CSV, spreadsheet)."),
        "fix": N_("Upload the CSV or spreadsheet file itself, without compressing it."),
    },
    "archive-several-tables": {
        "title": N_("Archive holding several files"),
        "meaning": N_(
            'The ZIP archive holds {count} files: only the first table ("{name}") was checked.'
        ),
        "fix": N_("Publish each file as a separate resource, without an archive, so that they are all checked."),
    },
    "json-not-tabular": {
        "title": N_("Non-tabular JSON"),
        "meaning": N_(
            "This JSON file is not a list of rows: it cannot be checked as a table."
        ),
        "fix": N_("For a table, publish a CSV instead; a tabular JSON is a list of objects [{...}, {...}]."),
    },
    "json-too-large": {
        "title": N_("JSON too large"),
        "meaning": N_("JSON files larger than {limit_h} are not checked row by row."),
        "fix": N_("Publish the same data as CSV, which can be checked whatever its size."),
    },
    "xls-too-large": {
        "title": N_("Excel 97-2003 workbook too large"),
        "meaning": N_(".xls files larger than {limit_h} are not checked (old format, read entirely in memory)."),
        "fix": N_("Save the workbook as CSV UTF-8, ODS or XLSX, then upload this new file."),
    },
    "invalid-json": {
        "title": N_("Malformed JSON"),
        "meaning": N_("The JSON file has a syntax error and cannot be read."),
        "fix": N_("Export the file again from the original software; do not edit it by hand."),
    },
    "unsupported-format": {
        "title": N_("Format that cannot be checked"),
        "meaning": N_("This file format ({format}) is not a table: its content is not checked row by row."),
        "fix": N_("For data in a table, publish a CSV (or ODS/XLSX) file besides this file."),
    },
    # ---- encoding ---------------------------------------------------------------------------------------
    "encoding-not-utf8": {
        "title": N_("Old character encoding"),
        "meaning": N_(
            'The file uses the "{encoding}" encoding instead of the recommended UTF-8: accents may be '
            'shown wrongly to reusers ("Ã©" instead of "é").'
        ),
        "fix": N_(
            'In your spreadsheet, choose "Save as" then the "CSV UTF-8" format (Excel), or tick "Unicode '
            '(UTF-8)" in the export options (LibreOffice).'
        ),
    },
    "encoding-break": {
        "title": N_("Inconsistent character encoding"),
        "meaning": N_(
            "The file changes encoding part way through, from row {row} on: the accented characters of "
            "this part are shown wrongly and most software stops at this row."
        ),
        "fix": N_(
            "The file was probably put together from several exports. Open it in your spreadsheet, correct "
            'the accents from row {row} on, then save it as "CSV UTF-8".'
        ),
    },
    "encoding-error": {
        "title": N_("Unreadable characters"),
        "meaning": N_("Some characters of the file cannot be read with the detected encoding."),
        "fix": N_('Save the file as "CSV UTF-8" from your spreadsheet.'),
    },
    # ---- information found by the pre-scan ---------------------------------------------------------------
    "semicolon-delimiter": {
        "title": N_("Semicolon separator"),
        "meaning": N_(
            "The columns are separated by semicolons (French Excel export). This is accepted, but the "
            "comma is the standard CSV separator."
        ),
        "fix": N_('If you can, export with the comma as separator ("CSV UTF-8 (Comma delimited)").'),
    },
    "decimal-comma": {
        "title": N_("Decimal comma"),
        "meaning": N_(
            "Numbers use a comma as decimal separator (12,5) in the columns: {columns}. Data processing "
            "software expects a point (12.5)."
        ),
        "fix": N_(
            "Before exporting, set the decimal separator to a point, or replace the commas of the numbers "
            "with points in these columns."
        ),
    },
    "utf16-file": {
        "title": N_('"Unicode text" file (UTF-16)'),
        "meaning": N_(
            "The file is saved in UTF-16 (Excel's \"Unicode Text\"), an encoding few other programs read. "
            "It was converted to be checked."
        ),
        "fix": N_('Save as "CSV UTF-8" instead.'),
    },
    # ---- header and columns -----------------------------------------------------------------------------
    "blank-header": {
        "title": N_("Empty header row"),
        "meaning": N_("The first row, which must hold the names of the columns, is empty."),
        "fix": N_("Delete the empty rows at the top of the file: the first row must hold the names of the columns."),
    },
    "no-header": {
        "title": N_("No header row"),
        "meaning": N_(
            "The first row holds data (numbers or dates) instead of the names of the columns."
        ),
        "fix": N_("Add the name of each column on the first row (for example: name, date, amount)."),
    },
    "blank-label": {
        "title": N_("Column without a name"),
        "meaning": N_("Column no. {field_number} has no name in the header row."),
        "fix": N_(
            "Give a name to column no. {field_number}, or delete it if it is empty (often an extra empty "
            "column at the right of the table)."
        ),
    },
    "duplicate-label": {
        "title": N_("Duplicate column name"),
        "meaning": N_('The name "{value}" is used for several columns: there is no knowing which one to read.'),
        "fix": N_('Rename one of the "{value}" columns so that each name is unique.'),
    },
    "extra-label": {
        "title": N_("Extra column"),
        "meaning": N_('Column no. {field_number} ("{value}") is not in the schema.'),
        "fix": N_("Delete this column, or check its name in the schema's documentation."),
    },
    "missing-label": {
        "title": N_("Missing column"),
        "meaning": N_('The column "{column}" of the schema is missing from the file.'),
        "fix": N_('Add the column "{column}" (even empty if it is optional), with exactly this name.'),
    },
    "incorrect-label": {
        "title": N_("Wrong column name"),
        "meaning": N_('Column no. {field_number} is named "{value}" instead of "{column}" expected by the schema.'),
        "fix": N_('Rename the column "{column}", with the same capitals and no extra space.'),
    },
    "missing-required-column": {
        "title": N_("Required column missing"),
        "meaning": N_(
            'The required column "{column}" is missing from the file: every row is therefore incomplete.'
        ),
        "fix": N_(
            "Add a column named exactly \"{column}\" and fill it in on every row (see the schema's "
            "documentation)."
        ),
    },
    "missing-optional-column": {
        "title": N_("Optional column missing"),
        "meaning": N_('The optional column "{column}" of the schema is missing from the file.'),
        "fix": N_('Add the column "{column}", even empty: the file then stays identical to the national template.'),
    },
    "extra-column": {
        "title": N_("Column not in the schema"),
        "meaning": N_('The column "{value}" does not exist in the schema: it is not checked.'),
        "fix": N_(
            "Check that it is not a column of the schema spelt wrongly (capitals, accents, spaces). "
            "Otherwise, it can stay."
        ),
    },
    "column-order": {
        "title": N_("Column order differs from the schema"),
        "meaning": N_("The columns are not in the order of the schema."),
        "fix": N_("If you can, put the columns back in the order of the template: {columns}."),
    },
    # ---- rows -------------------------------------------------------------------------------------------
    "blank-row": {
        "title": N_("Empty row"),
        "meaning": N_("Row {row} is entirely empty."),
        "fix": N_("Delete the empty rows of the table (often at the bottom of the file)."),
    },
    "extra-cell": {
        "title": N_("Extra cell"),
        "meaning": N_(
            'Row {row} has more cells than there are columns (extra value: "{value}").'
        ),
        "fix": N_(
            "Often, a text holds the separator (comma or semicolon) without being in quotes. Export the "
            "file again from your spreadsheet rather than editing it by hand, or check row {row}."
        ),
    },
    "missing-cell": {
        "title": N_("Missing cell"),
        "meaning": N_('Row {row} stops before the column "{column}": cells are missing.'),
        "fix": N_("Complete row {row} so that it has as many cells as the header (an empty cell is enough)."),
    },
    "primary-key": {
        "title": N_("Duplicate identifier"),
        "meaning": N_("Row {row} repeats an identifier already used by another row."),
        "fix": N_("Each row must have a unique identifier: correct or delete the duplicate."),
    },
    "unique-error": {
        "title": N_("Duplicate value"),
        "meaning": N_('Row {row}, column "{column}": the value "{value}" already appears on another row, '
                      "whereas it must be unique."),
        "fix": N_("Correct or delete the duplicate row."),
    },
    "foreign-key": {
        "title": N_("Unknown reference"),
        "meaning": N_("Row {row} refers to a value that does not exist in the linked table."),
        "fix": N_("Check the reference value on this row."),
    },
    # ---- cells ------------------------------------------------------------------------------------------
    "type-error": {
        "title": N_("Badly written value"),
        "meaning": N_('Row {row}, column "{column}": "{value}" is not {expected}.'),
        "fix": N_("{type_fix}"),
    },
    "impossible-date": {
        "title": N_("Date that does not exist"),
        "meaning": N_('Row {row}, column "{column}": "{value}" is a date that does not exist.'),
        "fix": N_(
            "Check the day and the month: February has 28 days (29 in leap years); April, June, September "
            "and November have 30 days; the other months 31."
        ),
    },
    "constraint-error": {
        "title": N_("Non-conforming value"),
        "meaning": N_('Row {row}, column "{column}": the value "{value}" breaks a rule of the schema.'),
        "fix": N_("Correct the value following the schema's documentation."),
    },
    "required": {
        "title": N_("Required cell empty"),
        "meaning": N_('Row {row}: the column "{column}" is empty although it is required.'),
        "fix": N_('Fill in the column "{column}" on row {row}.'),
    },
    "enum": {
        "title": N_("Value not in the allowed list"),
        "meaning": N_('Row {row}, column "{column}": "{value}" is not one of the allowed values.'),
        "fix": N_("Pick one of the allowed values, written exactly like this (accents and capitals "
                  "included): {allowed}."),
    },
    "pattern": {
        "title": N_("Wrong value format"),
        "meaning": N_('Row {row}, column "{column}": "{value}" does not have the expected form.'),
        "fix": N_("{pattern_fix}"),
    },
    "minLength": {
        "title": N_("Text too short"),
        "meaning": N_('Row {row}, column "{column}": "{value}" must have at least {limit} characters.'),
        "fix": N_("Complete the value (at least {limit} characters)."),
    },
    "maxLength": {
        "title": N_("Text too long"),
        "meaning": N_('Row {row}, column "{column}": the value is longer than {limit} characters.'),
        "fix": N_("Shorten the text to {limit} characters at most."),
    },
    "minimum": {
        "title": N_("Value too small"),
        "meaning": N_('Row {row}, column "{column}": "{value}" is below the minimum allowed ({limit}).'),
        "fix": N_("Give a value greater than or equal to {limit}."),
    },
    "maximum": {
        "title": N_("Value too large"),
        "meaning": N_('Row {row}, column "{column}": "{value}" is above the maximum allowed ({limit}).'),
        "fix": N_("Give a value lower than or equal to {limit} (mind percentages: 0.5, not 50)."),
    },
    "exclusiveMinimum": {
        "title": N_("Value too small"),
        "meaning": N_('Row {row}, column "{column}": "{value}" must be strictly greater than {limit}.'),
        "fix": N_("Give a value strictly greater than {limit}."),
    },
    "exclusiveMaximum": {
        "title": N_("Value too large"),
        "meaning": N_('Row {row}, column "{column}": "{value}" must be strictly lower than {limit}.'),
        "fix": N_("Give a value strictly lower than {limit}."),
    },
    # ---- French checks (Validata custom_checks) ---------------------------------------------------------
    "french-siret-value": {
        "title": N_("Invalid SIRET number"),
        "meaning": N_('Row {row}, column "{column}": "{value}" is not a valid SIRET number.'),
        "fix": N_(
            "A SIRET has 14 digits, without spaces or points. Look up the right number on "
            "annuaire-entreprises.data.gouv.fr (a typo in a single digit makes it invalid)."
        ),
    },
    "french-siren-value": {
        "title": N_("Invalid SIREN number"),
        "meaning": N_('Row {row}, column "{column}": "{value}" is not a valid SIREN number.'),
        "fix": N_(
            "A SIREN has 9 digits, without spaces. Look up the right number on "
            "annuaire-entreprises.data.gouv.fr."
        ),
    },
    "year-interval-value": {
        "title": N_("Wrong year or period"),
        "meaning": N_('Row {row}, column "{column}": "{value}" is not a valid year or period ({note}).'),
        "fix": N_("Write a year in 4 digits (2024) or a period YYYY/YYYY whose second year is later (2023/2024)."),
    },
    "cohesive-columns-value": {
        "title": N_("Columns to fill in together"),
        "meaning": N_("Row {row}: the columns {columns} must all be filled in or all be empty."),
        "fix": N_("On row {row}, fill in the missing columns ({missing}) or empty the others."),
    },
    "cohesive-columns-missing": {
        "title": N_("Columns to provide together"),
        "meaning": N_("The columns {columns} must all be present or all absent; missing: {missing}."),
        "fix": N_("Add the missing columns ({missing}) to the header of the file."),
    },
    "compare-columns-value": {
        "title": N_("Inconsistent values between columns"),
        "meaning": N_('Row {row}: "{column}" ({value}) should be {op_label} "{column2}" ({value2}).'),
        "fix": N_("Check these two values on row {row}: one of them is probably mistyped."),
    },
    "sum-columns-value": {
        "title": N_("Wrong total"),
        "meaning": N_('Row {row}: "{column}" is {value}, but the sum of {columns} is {total}.'),
        "fix": N_("Add up the values of row {row} again: the total must equal the sum of the details."),
    },
    "one-of-required": {
        "title": N_("One of the two columns must be filled in"),
        "meaning": N_('Row {row}: the columns "{column}" and "{column2}" are both empty.'),
        "fix": N_('Fill in at least one of the two columns "{column}" or "{column2}" on row {row}.'),
    },
    "one-of-required-missing": {
        "title": N_("Missing columns"),
        "meaning": N_('The file has neither the column "{column}" nor the column "{column2}"; one of the '
                      "two is required."),
        "fix": N_('Add at least one of the columns "{column}" or "{column2}".'),
    },
    "nomenclature-actes-value": {
        "title": N_("Wrong subject of the act"),
        "meaning": N_('Row {row}, column "{column}": "{value}" does not follow the nomenclature of acts ({note}).'),
        "fix": N_(
            'Write the subject as "Domain/Subdomain", without spaces around the slash, for example '
            '"Finances locales/Subventions". Possible domains: "Commande publique", "Urbanisme", "Domaine et '
            'patrimoine", "Fonction publique", "Institutions et vie politique", "Libertés publiques et pouvoirs '
            'de police", "Finances locales", "Domaines de compétences par thèmes", "Autres domaines de '
            'compétences".'
        ),
    },
    "code-commune-insee-value": {
        "title": N_("Unknown INSEE commune code"),
        "meaning": N_('Row {row}, column "{column}": "{value}" is not an existing INSEE commune code.'),
        "fix": N_(
            "The INSEE code (5 characters, for example 67482 for Strasbourg) is not the postcode. Look it "
            "up on INSEE's website (\"Code officiel géographique\")."
        ),
    },
    "code-postal-value": {
        "title": N_("Unknown postcode"),
        "meaning": N_('Row {row}, column "{column}": "{value}" is not an existing postcode.'),
        "fix": N_("A postcode has 5 digits, leading zero included (for example 08000, not 8000)."),
    },
    "opening-hours-value": {
        "title": N_("Opening hours badly written"),
        "meaning": N_(
            "Row {row}, column \"{column}\": \"{value}\" is not written in OpenStreetMap's opening hours "
            "syntax ({note})."
        ),
        "fix": N_(
            'Write the opening hours like this: "Mo-Fr 08:00-12:00,14:00-18:00; Sa 09:00-12:00". Days as '
            "English abbreviations (Mo, Tu, We, Th, Fr, Sa, Su), hours in 2 digits with a colon, a comma "
            'between two ranges of the same day, a semicolon between two rules; "24/7" for always open, '
            '"PH off" for closed on public holidays. The full guide is at '
            "wiki.openstreetmap.org/wiki/Key:opening_hours."
        ),
    },
    "phone-number-value": {
        "title": N_("Invalid phone number"),
        "meaning": N_('Row {row}, column "{column}": "{value}" is not a valid phone number.'),
        "fix": N_(
            "Write one number per cell: a French number of 10 digits (03 88 60 90 90), an international "
            "number preceded by the country code (+33 3 88 60 90 90) or a short number (115, 3949). Check "
            "that no digit is missing."
        ),
    },
    "french-gps-coordinates": {
        "title": N_("GPS coordinates outside France"),
        "meaning": N_(
            'Row {row}, column "{column}": "{value}" is not a point in France (mainland or overseas '
            "départements): {note}."
        ),
        "fix": N_(
            "Write the longitude then the latitude in decimal degrees (WGS 84), separated by a comma and "
            'with a decimal point, for example "7.7521,48.5734" for Strasbourg. Check the minus sign, and '
            "that these are not coordinates in metres (Lambert 93)."
        ),
    },
    "reversed-french-gps-coordinates": {
        "title": N_("GPS coordinates swapped"),
        "meaning": N_(
            'Row {row}, column "{column}": "{value}" falls outside France, but the point would be in '
            "France with the two numbers swapped: the latitude seems written before the longitude."
        ),
        "fix": N_(
            'Write the longitude first, then the latitude: "7.7521,48.5734" for Strasbourg, not '
            '"48.5734,7.7521".'
        ),
    },
    "unsupported-check": {
        "title": N_("Check not available"),
        "meaning": N_('The schema asks for the check "{check}", which is not available here yet: this rule '
                      "was not checked."),
        "fix": N_("No action is needed on your part."),
    },
    # ---- failures of the reader -------------------------------------------------------------------------
    "source-error": {
        "title": N_("Unreadable file"),
        "meaning": N_("The file could not be read as a table."),
        "fix": N_("Save your data again as CSV UTF-8 from your spreadsheet, then upload it again."),
    },
    "format-error": {
        "title": N_("File format not recognised"),
        "meaning": N_("The content of the file does not match its stated format."),
        "fix": N_("Check the file's extension (.csv, .xlsx, .ods) and save it again from your spreadsheet."),
    },
    "schema-error": {
        "title": N_("Unusable schema"),
        "meaning": N_("The data schema given cannot be used for the check."),
        "fix": N_("Pick a schema from the national list, or correct the schema file."),
    },
    "unknown-schema": {
        "title": N_("Unknown schema"),
        "meaning": N_('The schema "{schema}" does not exist in the catalogue: conformity was not checked.'),
        "fix": N_('Pick the schema from the list offered (for example "scdl/deliberations").'),
    },
    "outdated-schema-version": {
        "title": N_("Old schema version"),
        "meaning": N_("Version {version} of the schema is declared; the latest version is {latest}, and it "
                      "was used for the check."),
        "fix": N_("Update the file to version {latest} of the schema and declare this version."),
    },
    "no-data-rows": {
        "title": N_("No data row"),
        "meaning": N_("The file holds only the header row: no data was published."),
        "fix": N_("Add the data below the header row, or remove the resource if it has no content."),
    },
    "validation-partial": {
        "title": N_("Partial check"),
        "meaning": N_("The check stopped at row {row} ({reason}): the figures cover this part of the file."),
        "fix": N_("Correct the most frequent errors first, then run the check again."),
    },
    "task-error": {
        "title": N_("Check error"),
        "meaning": N_("An unexpected error prevented the check of the file."),
        "fix": N_("Try again later; if the problem persists, contact the DataGrandEst team."),
    },
}

GENERIC_ERROR = {
    "title": N_("Problem found"),
    "meaning": N_('A problem of type "{type}" was found.'),
    "fix": N_("Check the file at the place shown."),
}

# What a value of each Table Schema type should look like, and how to fix it.
TYPE_EXPECTED: dict[str, tuple[str, str]] = {
    "integer": (
        N_("a whole number"),
        N_('Write a whole number, without spaces, decimals or units (for example 42, not "42 €" or "1 200").'),
    ),
    "number": (
        N_("a number"),
        N_("Write a number with a point as decimal separator, without spaces or symbols (for example "
           '1234.50, not "1 234,50 €").'),
    ),
    "date": (
        N_("a date in the YYYY-MM-DD format"),
        N_("Write the date as YYYY-MM-DD, for example 2024-03-31 (not 31/03/2024). In the spreadsheet, "
           'give the column the custom date format "YYYY-MM-DD" before saving as CSV.'),
    ),
    "datetime": (
        N_("a date and time in the YYYY-MM-DDTHH:MM:SS format"),
        N_("Write the date and time as 2024-03-31T14:30:00."),
    ),
    "time": (N_("a time in the HH:MM:SS format"), N_("Write the time as 14:30:00.")),
    "year": (N_("a year in 4 digits"), N_("Write the year in 4 digits, for example 2024.")),
    "yearmonth": (N_("a month in the YYYY-MM format"), N_("Write the month as YYYY-MM, for example 2024-03.")),
    "boolean": (
        N_("a true/false value"),
        N_('Write "true" or "false" (or "oui"/"non" if the schema allows it), with no other text.'),
    ),
    "geopoint": (N_("geographic coordinates"), N_('Write the coordinates as "longitude,latitude" '
                                                         "with decimal points.")),
    "geojson": (N_("a GeoJSON geometry"), N_("Check the GeoJSON geometry of this cell.")),
    "array": (N_("a list"), N_('Write a list in the JSON format, for example ["a","b"].')),
    "object": (N_("a JSON object"), N_("Write an object in the JSON format.")),
    "duration": (N_("a duration"), N_("Write the duration in the ISO 8601 format, for example P1D for one day.")),
    "string": (N_("a text"), N_("Check the text of this cell.")),
}

DATE_FORMAT_HINT = N_("Write the date in the format the schema expects ({format}).")

OPERATORS = {
    "<": N_("lower than"),
    "<=": N_("lower than or equal to"),
    "==": N_("equal to"),
    ">=": N_("greater than or equal to"),
    ">": N_("greater than"),
}

PARTIAL_REASONS = {
    "error-limit": N_("too many errors"),
    "time-limit": N_("maximum duration reached"),
    "encoding-break": N_("change of encoding"),
    "read-error": N_("file unreadable from there on"),
}

STATUS_LABELS = {
    "valid": N_("Conforms to the schema"),
    "invalid": N_("Errors to correct"),
    "structure-only": N_("Correct structure, no reference schema"),
    "rejected": N_("File refused"),
    "error": N_("Check impossible"),
    "not-tabular": N_("Not a table: content not checked row by row"),
}
