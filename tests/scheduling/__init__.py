"""Tests of the scheduler: pure policy and the APScheduler driver, without Qt."""
