# cmake -DNPM=npm -DDIR=console -DSTAMP=file -P npm_ci.cmake
# Runs `npm ci` in DIR unless DIR/node_modules was installed from the same package-lock.json
# (a copy kept in node_modules/.bankrec-lock.json), then touches STAMP.
set(lock ${DIR}/package-lock.json)
set(copy ${DIR}/node_modules/.bankrec-lock.json)
set(fresh FALSE)
if(EXISTS ${copy})
  file(SHA256 ${lock} want)
  file(SHA256 ${copy} have)
  if(want STREQUAL have)
    set(fresh TRUE)
  endif()
endif()
if(NOT fresh)
  message(STATUS "console: npm ci in ${DIR}")
  execute_process(COMMAND ${NPM} ci --no-audit --no-fund --loglevel=error WORKING_DIRECTORY ${DIR}
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "console: npm ci failed (exit ${rc}); the npm registry must be reachable")
  endif()
  file(COPY_FILE ${lock} ${copy})
endif()
file(TOUCH ${STAMP})
