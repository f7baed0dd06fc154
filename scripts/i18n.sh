#!/usr/bin/env bash
# Refresh the translation catalogs: extract → update (init if missing) → compile.
#
#   scripts/i18n.sh                 extract, update vi + en, compile (the one command to rerun)
#   scripts/i18n.sh extract [POT]   extract only, into POT (default voting/translations/messages.pot)
#
# Then fill in the new/fuzzy msgstr in voting/translations/vi/LC_MESSAGES/messages.po,
# clear their "#, fuzzy" flags and run this script again (tests/test_i18n.py checks all of it).
set -euo pipefail

cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
TRANSLATIONS=voting/translations
POT="$TRANSLATIONS/messages.pot"
LOCALES=(vi en)

# Keywords on top of pybabel's defaults (_, gettext, ngettext, ...):
#   _l / lazy_gettext      lazy strings in forms
#   DomainError:2          DomainError(code, message, ...): message is a msgid translated when shown
#   invalid_field:2        invalid_field(field, message, ...) in voting/validation.py
#   field_int:3, whole_number:5   the same readers' own messages (voting/validation.py)
#   error_response:2       error_response(code, message, status) in voting/views.py
#   N_                     no-op marker in voting/errors.py (HTTP_MESSAGES, defaults)
# A msgid that reaches gettext only at render time (a dict value, a default) must be
# wrapped in N_() -- and not inside another call within error_response(...): pybabel
# misses keywords nested two calls deep.
extract() {
    "$PYBABEL" extract -F babel.cfg \
        -k _l -k lazy_gettext \
        -k 'DomainError:2' -k 'invalid_field:2' -k 'error_response:2' -k N_ \
        -k 'field_int:3' -k 'whole_number:5' \
        --add-location=file \
        --project=voting --version=0.1.0 --copyright-holder="voting contributors" \
        -o "$1" .
}

if [[ "${1:-}" == "extract" ]]; then
    extract "${2:-$POT}"
    exit 0
fi

mkdir -p "$TRANSLATIONS"
extract "$POT"
for locale in "${LOCALES[@]}"; do
    if [[ -f "$TRANSLATIONS/$locale/LC_MESSAGES/messages.po" ]]; then
        "$PYBABEL" update -i "$POT" -d "$TRANSLATIONS" -l "$locale" --ignore-obsolete --previous
    else
        "$PYBABEL" init -i "$POT" -d "$TRANSLATIONS" -l "$locale"
    fi
done
"$PYBABEL" compile -d "$TRANSLATIONS" --statistics
