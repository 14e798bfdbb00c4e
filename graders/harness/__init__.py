"""Grading machinery shared by every grader, one job per module, with no knowledge of any kata.

- ``submission``: find and import the learner's module; missing names and stubs in plain words.
- ``deadline``:   call learner code under a deadline; stacks of the threads that got stuck.
- ``inflight``:   recording fakes, rendezvous, and ASCII timelines of calls.
- ``interleave``: forced interleavings of threads the grader starts (frontrun, behind this one module).
- ``lockstep``:   forced interleavings of threads the learner's code starts (a scheduler of our own).
- ``children``:   the child processes a call started, and the ones it left behind.
- ``leaks``:      threads a call left running.
- ``messages``:   the one failure format.
- ``properties``: Hypothesis and its profiles, for the graders that generate examples.
- ``results``:    a pytest plugin writing each claim's verdict as JSON lines.
"""
