# `cmake --install` puts the three programs side by side (cast finds
# cast-worker and cast-reference next to itself) and the store launcher of
# multi-host setups under share/cast; `cpack` makes a .deb of the same
# whose dependencies dpkg-shlibdeps reads off the binaries, so installing it
# with apt brings exactly the runtime libraries.
include(GNUInstallDirs)
install(TARGETS cast cast-worker cast-reference RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(PROGRAMS ${PROJECT_SOURCE_DIR}/deploy/container/store.sh ${PROJECT_SOURCE_DIR}/deploy/container/wait-for.sh
        DESTINATION ${CMAKE_INSTALL_DATADIR}/cast)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/examples/cast.yaml DESTINATION ${CMAKE_INSTALL_DATADIR}/cast/examples)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME cast)
set(CPACK_PACKAGE_VENDOR "cast")
set(CPACK_PACKAGE_CONTACT "cast maintainers <cast@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Concurrent Agent Startup Test suite: load and isolation tests for agent platforms")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
include(CPack)
