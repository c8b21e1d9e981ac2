#pragma once

// Orderings that only a library we cannot instrument provides, told to
// ThreadSanitizer; no-ops in every other build.
//
// Debian's gRPC is not built with TSan, so the hand-over of a stream between
// the thread that starts an operation (StartRead, StartWrite, Finish) and
// the thread that runs its reaction, and gRPC's promise that OnDone runs
// after every other reaction has returned, happen inside libgrpc where TSan
// sees nothing. A reactor marks each hand-over with these on one address
// (itself): CAST_HAPPENS_BEFORE before handing over, CAST_HAPPENS_AFTER
// where the other side takes over.

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CAST_TSAN_BUILD 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define CAST_TSAN_BUILD 1
#endif

#ifdef CAST_TSAN_BUILD
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#define CAST_HAPPENS_BEFORE(addr) __tsan_release(static_cast<void*>(addr))
#define CAST_HAPPENS_AFTER(addr) __tsan_acquire(static_cast<void*>(addr))
#else
#define CAST_HAPPENS_BEFORE(addr) static_cast<void>(addr)
#define CAST_HAPPENS_AFTER(addr) static_cast<void>(addr)
#endif

namespace cast {

// Held for the whole of a reaction: it takes over what was handed over to
// it, and hands all it did on to the reactions after it (OnDone above all,
// which may destroy the reactor).
class ReactionScope {
 public:
  explicit ReactionScope(void* reactor) : reactor_(reactor) { CAST_HAPPENS_AFTER(reactor_); }
  ~ReactionScope() { CAST_HAPPENS_BEFORE(reactor_); }
  ReactionScope(const ReactionScope&) = delete;
  ReactionScope& operator=(const ReactionScope&) = delete;

 private:
  void* reactor_;
};

}  // namespace cast
