# Runs `bankrec match` on the fixture and compares its output with expected.jsonl.
# cmake -DBANKREC=... -DDIR=... -P run_match_golden.cmake
execute_process(COMMAND ${BANKREC} match statement.jsonl --open-items open_items.csv WORKING_DIRECTORY ${DIR}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "bankrec match exited ${rc}: ${err}")
endif()
if(DEFINED ENV{BANKREC_UPDATE_GOLDEN})
  file(WRITE ${DIR}/expected.jsonl "${out}")
  message(STATUS "rewrote ${DIR}/expected.jsonl; review the diff before committing")
  return()
endif()
file(READ ${DIR}/expected.jsonl expected)
if(NOT out STREQUAL expected)
  message(FATAL_ERROR "bankrec match output differs from expected.jsonl:\n${out}")
endif()
# A bad open-items file exits 2 naming file:line:column.
execute_process(COMMAND ${BANKREC} match statement.jsonl --open-items statement.jsonl WORKING_DIRECTORY ${DIR}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 2 OR NOT err MATCHES "statement.jsonl:1:1")
  message(FATAL_ERROR "expected exit 2 naming statement.jsonl:1:1, got ${rc}: ${err}")
endif()
