#include <doctest/doctest.h>

#include "controller/coordination/sequence_tracker.h"

using namespace cast::controller;  // the code under test

using cast::controller::SequenceTracker;
using Admission = SequenceTracker::Admission;

TEST_CASE("SequenceTracker accepts an in-order sequence and acks all of it") {
  SequenceTracker tracker;
  for (std::uint64_t seq = 1; seq <= 100; ++seq) {
    CHECK(tracker.admit(seq) == Admission::accepted);
  }
  CHECK(tracker.contiguous() == 100);
  CHECK(tracker.accepted() == 100);
  CHECK(tracker.duplicates() == 0);
  CHECK(tracker.gaps() == 0);
}

TEST_CASE("SequenceTracker drops resent and repeated seqs as duplicates") {
  SequenceTracker tracker;
  for (std::uint64_t seq = 1; seq <= 5; ++seq) {
    tracker.admit(seq);
  }
  CHECK(tracker.admit(3) == Admission::duplicate);
  CHECK(tracker.admit(5) == Admission::duplicate);
  CHECK(tracker.admit(0) == Admission::duplicate);
  CHECK(tracker.admit(6) == Admission::accepted);
  CHECK(tracker.duplicates() == 3);
  CHECK(tracker.accepted() == 6);
}

TEST_CASE("SequenceTracker counts a gap and acks only the gap-free prefix") {
  SequenceTracker tracker;
  tracker.admit(1);
  tracker.admit(2);
  CHECK(tracker.admit(5) == Admission::accepted);
  CHECK(tracker.admit(6) == Admission::accepted);
  CHECK(tracker.gaps() == 1);  // 5 and 6 are one hole (3-4), not two
  CHECK(tracker.contiguous() == 2);
  CHECK(tracker.held_beyond_gap() == 2);
  CHECK(tracker.admit(5) == Admission::duplicate);

  tracker.admit(3);
  CHECK(tracker.contiguous() == 3);
  tracker.admit(4);
  CHECK(tracker.contiguous() == 6);
  CHECK(tracker.held_beyond_gap() == 0);
  CHECK(tracker.accepted() == 6);
  CHECK(tracker.gaps() == 1);
}

TEST_CASE("SequenceTracker counts separate holes separately") {
  SequenceTracker tracker;
  tracker.admit(1);
  tracker.admit(3);
  tracker.admit(7);
  CHECK(tracker.gaps() == 2);
  CHECK(tracker.contiguous() == 1);
}
