# tests/proc-lib.sh: helpers for the process tests (proc-*.t): a request
# to a route that starts processes and a field of its answer.  Source
# after lib.sh.

# post PATH JSON: POST the JSON body to deskd; the status in $CODE, the
# body in $T_TMP/body.
post() {
	CODE=$(http POST "$URL$1" -H 'Content-Type: application/json' \
	    --data-binary "$2")
}

# jf PYEXPR: a field of the last answer (the JSON in j).
jf() { json_get "$T_TMP/body" "$1"; }
