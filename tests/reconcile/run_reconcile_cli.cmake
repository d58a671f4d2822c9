# Persisted mode with the real binary: init, import, open-items import, reconcile twice (the second
# run changes nothing), audit verify; and `match --rules` with the shipped and with a broken rules file.
# cmake -DBANKREC=... -DDIR=<fixtures/match> -DWORK=<scratch dir> -DRULES=<etc/rules.yaml> -P run_reconcile_cli.cmake
function(run expected_rc)
  execute_process(COMMAND ${BANKREC} ${ARGN} WORKING_DIRECTORY ${DIR} OUTPUT_VARIABLE out ERROR_VARIABLE err
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL expected_rc)
    message(FATAL_ERROR "bankrec ${ARGN}: exit ${rc}, expected ${expected_rc}\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
# An empty config: built-in defaults, and nothing from /etc on this machine.
file(WRITE ${WORK}/bankrec.yaml "")
set(ENV{BANKREC_CONFIG} ${WORK}/bankrec.yaml)
set(D --data-dir ${WORK}/data)
run(0 ${D} init)
run(0 ${D} import statement.jsonl)
run(0 ${D} open-items import open_items.csv)
if(NOT out MATCHES "5 added, 0 updated, 0 unchanged")
  message(FATAL_ERROR "open-items import: ${out}")
endif()
run(0 ${D} open-items import open_items.csv)
if(NOT out MATCHES "0 added, 0 updated, 5 unchanged")
  message(FATAL_ERROR "open-items import again: ${out}")
endif()
run(0 ${D} reconcile)
if(NOT out MATCHES "reconciled 3, review 1, unmatched 1 \\(5 entries\\)")
  message(FATAL_ERROR "reconcile: ${out}")
endif()
run(0 ${D} reconcile)
if(NOT out MATCHES "reconciled 0, review 0, unmatched 0 \\(0 entries\\)")
  message(FATAL_ERROR "second reconcile changed something: ${out}")
endif()
run(0 ${D} audit verify)

# The shipped rules file means the built-in defaults: the same output as without it.
run(0 match statement.jsonl --open-items open_items.csv --rules ${RULES})
file(READ ${DIR}/expected.jsonl expected)
if(NOT out STREQUAL expected)
  message(FATAL_ERROR "match --rules etc/rules.yaml differs from expected.jsonl:\n${out}")
endif()
# A broken rules file: every problem as FILE:LINE:COL: key: message, exit 2.
file(WRITE ${WORK}/bad.yaml "thresholds: {auto: 101}\nrules:\n  - name: x\n    strategy: magic\n")
run(2 match statement.jsonl --open-items open_items.csv --rules ${WORK}/bad.yaml)
if(NOT err MATCHES "bad.yaml:1:20: thresholds.auto: expected a whole number" OR
   NOT err MATCHES "bad.yaml:4:15: rules\\[0\\].strategy: unknown strategy 'magic'")
  message(FATAL_ERROR "expected both problems with positions, got: ${err}")
endif()
run(2 ${D} reconcile --rules ${WORK}/bad.yaml)
