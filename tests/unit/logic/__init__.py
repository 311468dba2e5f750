"""The rules of ``vhcore.logic``, on the in-memory ports (``vhcore.dal.memory``)."""
