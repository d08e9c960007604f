"""Tests of the staff console (console/), one folder per part; shared fixtures in conftest.py."""
