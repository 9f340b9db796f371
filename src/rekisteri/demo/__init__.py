"""The demo register: synthetic people with their whole history, as a policy allows.

``plan`` decides from the policy who the people are and what they did,
``names`` holds the words of each country, ``identifiers`` makes valid
identity codes and business ids, ``store`` writes the plan, and the ``demo``
command runs it. The app sits at the top: it may use every other app, and no
app uses it.
"""
