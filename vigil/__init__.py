"""Vigil: an early-warning news pipeline for genocide and mass-atrocity prevention."""

__version__ = "0.1.0"
