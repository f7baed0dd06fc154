"""The unit's register of people: who may sit in a conference and who may be planned."""
