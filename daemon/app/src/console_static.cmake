# The console's static part inside bankrecd (issue 8).
list(APPEND APP_SOURCES src/console_static_wiring.cpp)
# Where the build writes the web UI (console/CMakeLists.txt): used only by a bankrecd that runs from
# this build tree and has no console.assets_dir configured.
set_property(SOURCE src/console_static_wiring.cpp APPEND PROPERTY COMPILE_DEFINITIONS
             BANKREC_BUILD_DIR="${CMAKE_BINARY_DIR}" BANKREC_CONSOLE_BUILD_DIST="${CMAKE_BINARY_DIR}/console/dist")
