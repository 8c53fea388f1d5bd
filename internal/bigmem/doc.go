// Package bigmem allocates the large buffers of kiln's readers and kernels
// (frame columns, co-occurrence counts, vectorizer output) so that touching
// them the first time is cheap.
//
// A new 4 KiB page costs one page fault when it is first written. On a
// bare-metal Linux machine that is a fraction of a microsecond; in virtual
// machines whose page tables the hypervisor maintains it can be 10-20 µs, so
// that filling 1 GB of new memory takes seconds, longer than the work that
// fills it. Transparent huge pages map 2 MiB per fault. Linux gives them to
// a process only where it asks (when /sys/kernel/mm/transparent_hugepage/
// enabled is "madvise", the common default) by madvise(MADV_HUGEPAGE) on the
// range before it is touched.
//
// Make and MakeCap return ordinary Go slices from the Go heap: the garbage
// collector owns and frees them like any other, so there is nothing to
// close. On Linux, a slice of at least MinHugeBytes is advised for huge
// pages between its allocation and its first use. MakeAligned also starts
// it on a huge-page boundary, so that all of it, not only its aligned
// interior, is mapped 2 MiB at a time; MakeHuge does the same for smaller
// buffers that are reused (a reader's scratch), rounding them up to whole
// huge pages. Elsewhere, or when the
// advice is refused, they are plain make calls. The advice changes only how
// the memory is mapped, never its contents: a fresh slice is all zeros
// either way.
package bigmem
