# The console's data API (issue 8): statements, entries, uploads, errors, jobs, alerts, audit, and the
# OpenAPI document, compiled in as a raw string literal written at configure time.
list(APPEND HTTP_SOURCES src/api_data.cpp src/api_data_upload.cpp)
list(APPEND HTTP_HEADERS include/bankrec/http/api_data.h)
list(APPEND HTTP_DEPS jobs formats)
set(BANKREC_OPENAPI ${CMAKE_CURRENT_SOURCE_DIR}/openapi/openapi.yaml)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${BANKREC_OPENAPI})
file(READ ${BANKREC_OPENAPI} BANKREC_OPENAPI_TEXT)
file(CONFIGURE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/generated/openapi_yaml.inc
     CONTENT "R\"oapi(@BANKREC_OPENAPI_TEXT@)oapi\"\n" @ONLY)
