# bankrec_add_module(<name> SOURCES <.cpp>... HEADERS <public .h>... [DEPS <bankrec module>...]
#                    [PUBLIC_LIBS <target>...] [PRIVATE_LIBS <target>...])
# One static library per daemon/ module. DEPS are other bankrec modules (without prefix); they are
# recorded so that the layering_check test can refuse includes of modules outside the DEPS closure.
function(bankrec_add_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;HEADERS;DEPS;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  add_library(bankrec_${name} STATIC ${ARG_SOURCES})
  add_library(bankrec::${name} ALIAS bankrec_${name})
  target_sources(bankrec_${name} PUBLIC FILE_SET HEADERS BASE_DIRS include FILES ${ARG_HEADERS})
  target_include_directories(bankrec_${name} PRIVATE src)
  target_compile_features(bankrec_${name} PUBLIC cxx_std_20)
  set(deps ${ARG_DEPS})
  list(TRANSFORM deps PREPEND bankrec::)
  target_link_libraries(bankrec_${name}
    PUBLIC  ${deps} ${ARG_PUBLIC_LIBS} bankrec_sanitize
    PRIVATE ${ARG_PRIVATE_LIBS} bankrec_warnings)
  set_target_properties(bankrec_${name} PROPERTIES VERIFY_INTERFACE_HEADER_SETS ON)
  set_property(GLOBAL APPEND PROPERTY BANKREC_MODULES ${name})
  set_property(GLOBAL PROPERTY BANKREC_DEPS_${name} ${ARG_DEPS})
endfunction()

# bankrec_add_executable(<name> SOURCES ... LIBS ...)
function(bankrec_add_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} bankrec_warnings bankrec_sanitize)
endfunction()

# bankrec_add_test(<module> SOURCES <_test.cpp>... [LIBS <target>...])
# One gtest binary per module: bankrec_<module>_tests.
function(bankrec_add_test module)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  set(target bankrec_${module}_tests)
  add_executable(${target} ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE bankrec::${module} bankrec_testsupport ${ARG_LIBS}
                                          GTest::gmock_main bankrec_warnings bankrec_sanitize)
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60
                       PROPERTIES ENVIRONMENT "TZ=UTC;BANKREC_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
                       LABELS unit)
endfunction()

# Writes the module graph for the layering check (called once, after every module is added).
function(bankrec_write_layering_manifest file)
  get_property(modules GLOBAL PROPERTY BANKREC_MODULES)
  set(content "")
  foreach(m IN LISTS modules)
    get_property(deps GLOBAL PROPERTY BANKREC_DEPS_${m})
    string(APPEND content "${m}:${deps}\n")
  endforeach()
  file(WRITE ${file} "${content}")
endfunction()
