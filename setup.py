"""Package list for setuptools; every other setting is in setup.cfg.

setup.cfg cannot combine ``packages = find:`` with the two data packages that are mapped
from the top-level ``clauses/`` and ``templates/`` folders, so the list is computed here:
every Python package under ``composer/`` is found, none can be forgotten.
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["composer", "composer.*"])
    + ["composer.stock_clauses", "composer.stock_templates"],
)
