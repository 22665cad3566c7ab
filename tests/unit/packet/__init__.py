"""Tests of tuitrace.packet: byte building and parsing."""
