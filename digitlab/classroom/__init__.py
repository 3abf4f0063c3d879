"""A class: the digits its students drew (the class set), shared as files, a model the teacher
publishes to everyone, and a model trained again with the class's own handwriting.

    classdb     the class set's SQLite file: where it lives, its schema, transactions
    classset    ClassSet: save, delete (for good) and read the class's digits
    privacy     whether drawings are collected, and for how many days they are kept
    classfiles  a class set as a file to share (.npz, or MNIST's IDX zipped), checked on read
    publish     the teacher's password and the published model, for every session
    live        the lesson as it happens: the roster, the pause, the spotlight
    retrain     train again with the class set, compared on a held-out part of it
    question    one question (choices or a number, its key and tolerance), the built-in ones
    questions   Questions: pose, answer once, reveal the class's counts, export as CSV

`retrain.retrain` and publish's describe/settings stay behind their modules.
"""

from digitlab.classroom import privacy, question
from digitlab.classroom.classdb import ClassSetError, default_path
from digitlab.classroom.classfiles import (
    ClassDigits,
    ClassFileError,
    from_store,
    load_set,
    read_set,
    to_idx_zip,
    to_npz,
)
from digitlab.classroom.classset import TEACHER, ClassSet, Filter, NotAllowed, Record, Saved, Who
from digitlab.classroom.publish import (
    ClassModel,
    Published,
    class_url,
    password_ok,
    publishing_enabled,
    students_url,
)
from digitlab.classroom.question import Question, QuestionError
from digitlab.classroom.questions import Questions, Round, Tally
from digitlab.classroom.retrain import ClassTrainError, add_set, hold_out, repeats_for

__all__ = ["TEACHER", "ClassDigits", "ClassFileError", "ClassModel", "ClassSet", "ClassSetError",
           "ClassTrainError", "Filter", "NotAllowed", "Published", "Record", "Saved", "Who",
           "add_set", "class_url", "default_path", "from_store", "hold_out", "load_set",
           "password_ok", "privacy", "publishing_enabled", "question", "Question",
           "QuestionError", "Questions", "read_set", "repeats_for", "Round", "Tally",
           "students_url", "to_idx_zip", "to_npz"]
