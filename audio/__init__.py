"""The jingles shipped with podcast-builder (intro, transition, outro), made by scripts/make-jingles.

Installed as the ``podcast.jingles`` package so that a wheel carries them too.
"""
