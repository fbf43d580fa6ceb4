#!/usr/bin/python3
# A minimal freedesktop notification server for tests: owns org.freedesktop.Notifications on the session
# bus given in DBUS_SESSION_BUS_ADDRESS and prints every Notify call as one JSON line.
import json, sys
import dbus, dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

class Server(dbus.service.Object):
    def __init__(self, bus):
        super().__init__(dbus.service.BusName("org.freedesktop.Notifications", bus), "/org/freedesktop/Notifications")
        self.next_id = 1

    @dbus.service.method("org.freedesktop.Notifications", in_signature="susssasa{sv}i", out_signature="u")
    def Notify(self, app, replaces, icon, summary, body, actions, hints, timeout):
        urgency = int(hints.get("urgency", 1))
        print(json.dumps({"app": str(app), "summary": str(summary), "body": str(body), "urgency": urgency}), flush=True)
        self.next_id += 1
        return self.next_id - 1

    @dbus.service.method("org.freedesktop.Notifications", out_signature="as")
    def GetCapabilities(self):
        return ["body"]

    @dbus.service.method("org.freedesktop.Notifications", out_signature="ssss")
    def GetServerInformation(self):
        return ("ce-test", "clawedge", "1", "1.2")

    @dbus.service.method("org.freedesktop.Notifications", in_signature="u")
    def CloseNotification(self, id):
        pass

DBusGMainLoop(set_as_default=True)
server = Server(dbus.SessionBus())
print("ready", flush=True)
GLib.MainLoop().run()
