#pragma once

// Transparent huge pages for the whole heap. On a VM a first touch of a 4 KB page costs a trap
// into the hypervisor: importing 100,000 lines spent about a quarter of its CPU in page faults, and
// reconciling 100,000 lines about a third. glibc (>= 2.35) backs its heap with 2 MB pages when the
// tunable glibc.malloc.hugetlb=1 is set, but reads tunables only when a process starts; so the
// executables call this first thing in main().
namespace bankrec::base {

/// Starts this executable again in place (execv of /proc/self/exe: same pid, arguments and
/// descriptors) with GLIBC_TUNABLES=glibc.malloc.hugetlb=1, once, when all of these hold: Linux,
/// the kernel offers transparent huge pages (not "never"), GLIBC_TUNABLES is not set already (an
/// admin's own tunables win), BANKREC_MALLOC_HUGE_PAGES is not "off", and the process does not run
/// under valgrind. In the second start it removes the variables it set, so that child processes do
/// not inherit them. If the exec fails, the process simply carries on with small pages.
void use_malloc_huge_pages(char** argv);

}  // namespace bankrec::base
